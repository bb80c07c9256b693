import t from 'tap'
import { throttledWarning } from '../../src/util/throttled-warning.js'

t.test('logs the first warning, then at most one per interval, saying how many were left out', async (t) => {
  const lines: Array<{ obj: object, msg: string }> = []
  let clock = 1_000
  const warn = throttledWarning({ warn: (obj, msg) => { lines.push({ obj, msg }) } }, 'redis slow', 10_000, () => clock)
  const table: Array<{ at: number, logged: boolean, suppressed?: number }> = [
    { at: 1_000, logged: true },
    { at: 1_001, logged: false },
    { at: 10_999, logged: false },
    { at: 11_000, logged: true, suppressed: 2 },
    { at: 20_999, logged: false },
    { at: 50_000, logged: true, suppressed: 1 },
    { at: 60_000, logged: true }
  ]
  for (const row of table) {
    clock = row.at
    const before = lines.length
    warn({ err: 'timeout' })
    t.equal(lines.length - before, row.logged ? 1 : 0, `at ${row.at}`)
    if (row.logged) {
      const expected = row.suppressed === undefined ? { err: 'timeout' } : { err: 'timeout', suppressed: row.suppressed }
      t.same(lines.at(-1), { obj: expected, msg: 'redis slow' })
    }
  }
})
