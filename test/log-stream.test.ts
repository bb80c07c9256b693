import assert from 'node:assert/strict'
import fc from 'fast-check'
import t from 'tap'
import { createBatchedLogStream } from '../src/log-stream.js'

const endOfTurn = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

t.test('the lines of one turn of the event loop are written together, in order, once the turn ends', async (t) => {
  const writes: string[] = []
  const stream = createBatchedLogStream({ write: (text) => writes.push(text) })
  stream.write('{"a":1}\n')
  stream.write('{"b":2}\n')
  stream.write('{"c":3}\n')
  t.same(writes, [], 'nothing is written during the turn')
  await endOfTurn()
  t.same(writes, ['{"a":1}\n{"b":2}\n{"c":3}\n'], 'one write at its end')
  stream.write('{"d":4}\n')
  await endOfTurn()
  t.same(writes, ['{"a":1}\n{"b":2}\n{"c":3}\n', '{"d":4}\n'], 'a quiet server writes each line in its own turn')
})

t.test('flush writes what is held at once', async (t) => {
  const writes: string[] = []
  const stream = createBatchedLogStream({ write: (text) => writes.push(text) })
  stream.write('one\n')
  stream.flush()
  t.same(writes, ['one\n'])
  await endOfTurn()
  t.same(writes, ['one\n'], 'and the end of the turn has nothing left to write')
  stream.flush()
  t.same(writes, ['one\n'], 'flushing nothing writes nothing')
})

t.test('nothing is lost or reordered; each write is whole lines within the bound, or one longer line alone; what is held stays within the bound', async (t) => {
  // lines of ASCII, accents and emoji (bytes, not characters, are bounded), some past the bound
  const line = fc.string({ unit: fc.constantFrom('a', 'é', '😀', '"', ' '), minLength: 0, maxLength: 60 }).map((s) => `${s}\n`)
  const step = fc.oneof(line.map((l) => ({ line: l })), fc.constant({ turn: true as const }))
  await fc.assert(fc.asyncProperty(fc.integer({ min: 8, max: 200 }), fc.array(step, { maxLength: 80 }), async (maxBytes, steps) => {
    const writes: string[] = []
    const stream = createBatchedLogStream({ write: (text) => writes.push(text) }, { maxBytes })
    const lines: string[] = []
    for (const s of steps) {
      if ('turn' in s) {
        await endOfTurn()
        continue
      }
      stream.write(s.line)
      lines.push(s.line)
      const written = writes.join('')
      const all = lines.join('')
      assert.ok(all.startsWith(written), 'written so far is a prefix of what was logged')
      assert.ok(Buffer.byteLength(all) - Buffer.byteLength(written) <= maxBytes, 'at most maxBytes held')
    }
    await endOfTurn()
    assert.equal(writes.join(''), lines.join(''), 'everything, in order, once the turn ends')
    // every write ends at a line's end and is either within the bound or a single line
    let at = 0
    const ends = new Set<number>()
    for (const l of lines) ends.add(at += l.length)
    at = 0
    for (const w of writes) {
      at += w.length
      assert.ok(ends.has(at), 'a write ends where a line ends')
      assert.ok(Buffer.byteLength(w) <= maxBytes || w.indexOf('\n') === w.length - 1, 'within the bound, or one line alone')
    }
  }), { numRuns: 150 })
  t.pass('150 random sequences of lines and turns')
})

t.test('maxBytes must be a positive integer', async (t) => {
  t.throws(() => createBatchedLogStream({ write: () => {} }, { maxBytes: 0 }), RangeError)
  t.throws(() => createBatchedLogStream({ write: () => {} }, { maxBytes: 1.5 }), RangeError)
})
