import t from 'tap'
import fc from 'fast-check'
import { createCursors, queryText } from '../../src/search/cursor.js'

const cursors = createCursors('test-hash-key-cursors-0123456789abcdef')
const code = (fn: () => unknown): string | undefined => {
  try {
    fn()
    return undefined
  } catch (err) {
    return (err as { code?: string }).code
  }
}

t.test('a cursor gives back the store cursor of its query, and only of its query', async (t) => {
  const query = queryText('decisions', { decision: 'review', rule: undefined })
  const other = queryText('decisions', { decision: 'allow', rule: undefined })
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (next) => {
    const cursor = cursors.wrap(query, next)
    return /^[A-Za-z0-9_.-]+$/.test(cursor) && cursors.unwrap(query, cursor) === next && code(() => cursors.unwrap(other, cursor)) === 'invalid_cursor'
  }))
  const cursor = cursors.wrap(query, 'MTcwMDAwMDAwMDAwMC5hYmM')
  t.equal(code(() => createCursors('another-hash-key-0123456789abcdef').unwrap(query, cursor)), 'invalid_cursor', 'another server key')
  for (const bad of ['', 'abc', `${cursor}x`, cursor.replace('.', ''), `A${cursor}`, cursor.slice(0, -1) + (cursor.endsWith('A') ? 'B' : 'A')]) {
    t.equal(code(() => cursors.unwrap(query, bad)), 'invalid_cursor', JSON.stringify(bad))
  }
})

t.test('queryText: the same filters in any order give the same text; an absent filter is not an empty one', async (t) => {
  t.equal(queryText('s', { a: '1', b: undefined }), queryText('s', { b: undefined, a: '1' }))
  t.not(queryText('s', { a: '' }), queryText('s', { a: undefined }))
  t.not(queryText('s', { a: '1' }), queryText('r', { a: '1' }))
  t.not(queryText('s', { a: 1 }), queryText('s', { a: '1' }))
})
