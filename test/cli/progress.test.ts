import t from 'tap'
import { PassThrough } from 'node:stream'
import { createProgress } from '../../src/cli/progress.js'

function sink (): { stream: PassThrough, text: () => string } {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (c: Buffer) => { text += c.toString() })
  return { stream, text: () => text }
}

t.test('on a terminal: a bar redrawn in place, at most every redrawMs, then a final line', async (t) => {
  const out = sink()
  let now = 0
  const progress = createProgress(out.stream, { label: 'replaying', total: 1000, tty: true, now: () => now, redrawMs: 100 })
  now = 50
  progress.update(100, 10)
  t.equal(out.text(), '', 'not before redrawMs')
  now = 1000
  progress.update(500, 5000)
  t.equal(out.text(), '\r\x1b[2Kreplaying [###############...............] 50% 5,000 5,000/s')
  now = 2000
  progress.finish(9000)
  t.ok(out.text().endsWith('\r\x1b[2Kreplaying: 9,000 in 2.0 s (4,500/s)\n'), 'the bar is cleared before the final line')
})

t.test('elsewhere: one line every lineMs, no control characters; unknown totals show no percentage', async (t) => {
  const out = sink()
  let now = 0
  const progress = createProgress(out.stream, { label: 'replaying', tty: false, now: () => now, lineMs: 5000 })
  now = 1000
  progress.update(10, 100)
  now = 5000
  progress.update(20, 200)
  now = 7000
  progress.update(30, 300)
  now = 10000
  progress.update(40, 400)
  progress.finish(400)
  t.equal(out.text(), 'replaying: 200 done, 40/s\nreplaying: 400 done, 40/s\nreplaying: 400 in 10.0 s (40/s)\n')
  t.notOk(out.text().includes('\x1b') || out.text().includes('\r'), 'no control characters')
})
