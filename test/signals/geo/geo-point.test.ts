import t from 'tap'
import fc from 'fast-check'
import { distanceKm, isGeoPoint } from '../../../src/signals/geo/geo-point.js'

const BANGKOK = { latitude: 13.75398, longitude: 100.50144 }
const CHIANG_MAI = { latitude: 18.79038, longitude: 98.98468 }
const JAKARTA = { latitude: -6.21462, longitude: 106.84513 }
const LONDON = { latitude: 51.50853, longitude: -0.12574 }
const NEW_YORK = { latitude: 40.71427, longitude: -74.00597 }

t.test('great-circle distances in whole kilometres', async (t) => {
  // the haversine on a sphere of the mean radius, computed apart (London - New York is the often
  // quoted 5,570 km; one degree of longitude at the equator is 111.2 km)
  const cases: Array<[string, { latitude: number, longitude: number }, { latitude: number, longitude: number }, number]> = [
    ['the same point', BANGKOK, BANGKOK, 0],
    ['Bangkok - Chiang Mai', BANGKOK, CHIANG_MAI, 583],
    ['Bangkok - Jakarta', BANGKOK, JAKARTA, 2328],
    ['London - New York', LONDON, NEW_YORK, 5570],
    ['pole to pole', { latitude: 90, longitude: 0 }, { latitude: -90, longitude: 0 }, 20015],
    ['across the antimeridian', { latitude: 0, longitude: 179.5 }, { latitude: 0, longitude: -179.5 }, 111]
  ]
  for (const [name, a, b, km] of cases) t.equal(distanceKm(a, b), km, name)
})

t.test('a distance is symmetric, never negative, at most half the circumference', async (t) => {
  const point = fc.record({ latitude: fc.double({ min: -90, max: 90, noNaN: true }), longitude: fc.double({ min: -180, max: 180, noNaN: true }) })
  fc.assert(fc.property(point, point, (a, b) => {
    const d = distanceKm(a, b)
    return Number.isInteger(d) && d >= 0 && d <= 20016 && d === distanceKm(b, a)
  }))
})

t.test('coordinates in range only', async (t) => {
  t.ok(isGeoPoint(13.7, 100.5))
  t.ok(isGeoPoint(-90, 180))
  t.notOk(isGeoPoint(91, 0))
  t.notOk(isGeoPoint(0, -181))
  t.notOk(isGeoPoint(Number.NaN, 0))
  t.notOk(isGeoPoint('13.7', 100.5))
  t.notOk(isGeoPoint(undefined, undefined))
})
