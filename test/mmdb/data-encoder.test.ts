import t from 'tap'
import { DataEncoder, pointerSize } from '../../src/mmdb/data-encoder.js'
import { readBack } from '../helpers/mmdb-fixtures.js'

t.test('pointer sizes follow the spec boundaries', async (t) => {
  const cases: Array<[number, number]> = [[0, 2], [2047, 2], [2048, 3], [526335, 3], [526336, 4], [134744063, 4], [134744064, 5]]
  for (const [offset, size] of cases) t.equal(pointerSize(offset), size, `offset ${offset}`)
})

t.test('repeated strings and maps become pointers of each size, and read back', async (t) => {
  for (const padding of [10, 3000, 600_000]) {
    // the shared name is first written after `padding` bytes: later copies point that far
    const entries: Array<[string, { pad?: string, name: string, i: number, tags: string[] }]> = [
      ['1.0.0.0/24', { pad: 'p'.repeat(padding), name: 'A shared organization name', i: 0, tags: ['x', 'y'] }]
    ]
    for (let i = 1; i < 50; i++) entries.push([`2.0.${i}.0/24`, { name: 'A shared organization name', i, tags: ['x', 'y'] }])
    const reader = readBack({ databaseType: 'pointers', buildEpoch: 0 }, entries)
    t.equal((reader.get('1.0.0.1') as unknown as { pad: string }).pad.length, padding)
    for (let i = 1; i < 50; i++) {
      t.same(reader.get(`2.0.${i}.9`), { name: 'A shared organization name', i, tags: ['x', 'y'] }, `padding ${padding}, record ${i}`)
    }
  }
})

t.test('write returns the offset of an identical earlier value', async (t) => {
  const encoder = new DataEncoder({ dedupe: true })
  const a = encoder.write({ x: 1, y: 'two' })
  const b = encoder.write({ y: 'two', x: 1 })
  const c = encoder.write({ x: 2, y: 'two' })
  t.equal(a, b, 'key order does not matter')
  t.not(a, c)
  t.equal(encoder.write('a string'), encoder.write('a string'))
  const plain = new DataEncoder({ dedupe: false })
  t.not(plain.write({ x: 1 }), plain.write({ x: 1 }), 'no deduplication when disabled (metadata)')
})
