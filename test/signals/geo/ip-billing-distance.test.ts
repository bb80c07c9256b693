import t from 'tap'
import { ipBillingDistanceKm } from '../../../src/signals/geo/ip-billing-distance.js'
import type { CityCoordinates } from '../../../src/signals/geo/city-coordinates.js'
import type { Address } from '../../../src/schemas/charge.js'

const CITIES: CityCoordinates = {
  size: 2,
  find: (country, city) => {
    const key = `${country.toUpperCase()} ${city.trim().toLowerCase()}`
    if (key === 'TH bangkok') return { latitude: 13.75398, longitude: 100.50144 }
    if (key === 'TH chiang mai') return { latitude: 18.79038, longitude: 98.98468 }
    return undefined
  }
}
const IN_BANGKOK = { latitude: 13.7563, longitude: 100.5018 }

t.test('km from the IP to the billing city, unknown unless both are known', async (t) => {
  const cases: Array<[string, typeof IN_BANGKOK | undefined, Address | undefined, CityCoordinates | undefined, number | undefined]> = [
    ['the same city', IN_BANGKOK, { city: 'Bangkok', country: 'TH' }, CITIES, 0],
    ['another city', IN_BANGKOK, { city: 'Chiang Mai', country: 'TH' }, CITIES, 583],
    ['the IP has no location (no City database)', undefined, { city: 'Bangkok', country: 'TH' }, CITIES, undefined],
    ['no billing address', IN_BANGKOK, undefined, CITIES, undefined],
    ['a billing address without a city', IN_BANGKOK, { country: 'TH' }, CITIES, undefined],
    ['a billing address without a country', IN_BANGKOK, { city: 'Bangkok' }, CITIES, undefined],
    ['a city the table does not know', IN_BANGKOK, { city: 'Atlantis', country: 'TH' }, CITIES, undefined],
    ['the table not loaded (yet)', IN_BANGKOK, { city: 'Bangkok', country: 'TH' }, undefined, undefined]
  ]
  for (const [name, location, billing, cities, expected] of cases) t.equal(ipBillingDistanceKm(location, billing, cities), expected, name)
})
