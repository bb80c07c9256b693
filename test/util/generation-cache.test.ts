import t from 'tap'
import { GenerationCache } from '../../src/util/generation-cache.js'

t.test('keeps what is in use across generations, and at most two generations', async (t) => {
  const cache = new GenerationCache<string, string>(3)
  for (const id of ['a', 'b', 'c']) cache.set(id, `d-${id}`)
  cache.set('d', 'd-d') // a, b, c become the previous generation
  t.equal(cache.get('a'), 'd-a', 'read from the previous generation, and promoted')
  cache.set('e', 'd-e')
  cache.set('f', 'd-f') // current (d, a, e) is full: it becomes the previous one
  t.equal(cache.get('b'), undefined, 'two generations ago: gone')
  t.equal(cache.get('a'), 'd-a', 'in use: still there')
  t.equal(cache.get('e'), 'd-e')
  t.ok(cache.size <= 2 * 3, 'never more than two generations')
  for (let i = 0; i < 100; i++) cache.set(`k${i}`, 'v')
  t.ok(cache.size <= 6)
  t.throws(() => new GenerationCache(0), RangeError)
})
