import t from 'tap'
import { createCityIndex } from '../../../src/signals/geo/city-index.js'
import type { CityCoordinates } from '../../../src/signals/geo/city-coordinates.js'

const TABLE: CityCoordinates = { size: 1, find: () => ({ latitude: 1, longitude: 2 }) }

function deferred (): { promise: Promise<CityCoordinates>, resolve: (c: CityCoordinates) => void, reject: (err: Error) => void } {
  let settle!: { resolve: (c: CityCoordinates) => void, reject: (err: Error) => void }
  const promise = new Promise<CityCoordinates>((resolve, reject) => { settle = { resolve, reject } })
  return { promise, resolve: (c) => settle.resolve(c), reject: (err) => settle.reject(err) }
}

t.test('nothing is loaded until wanted; the first ask starts one load in the background', async (t) => {
  const pending = deferred()
  let loads = 0
  const index = createCityIndex({ loader: async () => { loads++; return await pending.promise } })
  t.equal(loads, 0, 'not loaded at creation')
  t.equal(index.get(), undefined, 'the first ask does not wait')
  t.equal(index.get(), undefined)
  t.equal(loads, 1, 'one load')
  pending.resolve(TABLE)
  t.equal(await index.load(), TABLE, 'load() shares the load under way')
  t.equal(index.get(), TABLE)
  t.equal(loads, 1)
})

t.test('load() at start; a failed load is told once and leaves the distance unknown', async (t) => {
  const errors: unknown[] = []
  let loads = 0
  const index = createCityIndex({ loader: async () => { loads++; throw new Error('cities.pbf: file not found') }, onError: (err) => errors.push(err) })
  await t.rejects(index.load(), /file not found/)
  t.equal(index.get(), undefined)
  t.equal(index.get(), undefined)
  await t.rejects(index.load(), /file not found/)
  t.equal(loads, 1, 'not retried on every charge')
  t.equal(errors.length, 1)
})
