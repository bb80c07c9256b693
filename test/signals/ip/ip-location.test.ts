import t from 'tap'
import { double } from '../../../src/mmdb/data-types.js'
import { createIpIntel } from '../../../src/signals/ip/ip-intel.js'
import { writeMmdb } from '../../helpers/mmdb-fixtures.js'

const BUILT = new Date('2026-11-20T00:00:00Z')

t.test('a City database places an address that has a city, never one located to its country alone', async (t) => {
  const dir = t.testdir()
  const city = writeMmdb(dir, 'city.mmdb', { databaseType: 'GeoLite2-City', buildEpoch: BUILT, languages: ['en'] }, [
    ['81.2.69.0/24', { city: { names: { en: 'London' } }, country: { iso_code: 'GB' }, location: { latitude: double(51.5142), longitude: double(-0.0931), accuracy_radius: 10 } }],
    // a country-level record: MaxMind gives the country's centre
    ['149.101.100.0/24', { country: { iso_code: 'US' }, location: { latitude: double(37.751), longitude: double(-97.822), accuracy_radius: 1000 } }],
    ['10.0.0.0/8', { city: { names: { en: 'Nowhere' } }, location: { latitude: double(1), longitude: double(1) } }],
    ['5.5.5.0/24', { city: { names: { en: 'Bad' } }, location: { latitude: double(95), longitude: double(1) } }]
  ])
  const flat = writeMmdb(dir, 'flat-city.mmdb', { databaseType: 'dbip-city-lite', buildEpoch: BUILT }, [
    ['1.0.0.0/24', { city: 'Bangkok', country_code: 'TH', latitude: double(13.75), longitude: double(100.5) }],
    ['1.0.1.0/24', { country_code: 'TH', latitude: double(15), longitude: double(101) }]
  ])
  const intel = await createIpIntel({ countryDb: city })
  t.teardown(() => intel.close())
  t.ok(intel.locates, 'a City database')
  t.same(intel.lookupWithLocation('81.2.69.160'), { signals: { address: '81.2.69.160', version: 4, is_private: false, country: 'GB' }, location: { latitude: 51.5142, longitude: -0.0931 } })
  t.equal(intel.lookupWithLocation('149.101.100.1').location, undefined, 'the country centre is no location')
  t.equal(intel.lookupWithLocation('10.1.2.3').location, undefined, 'a private address is never looked up')
  t.equal(intel.lookupWithLocation('5.5.5.5').location, undefined, 'coordinates out of range')
  t.equal(intel.lookup('81.2.69.160'), intel.lookupWithLocation('81.2.69.160').signals, 'one cached lookup for both')
  t.notOk('location' in intel.lookup('81.2.69.160'), 'the location is not a signal')

  const flatIntel = await createIpIntel({ countryDb: flat })
  t.teardown(() => flatIntel.close())
  t.ok(flatIntel.locates, 'a city database of another vendor')
  t.same(flatIntel.lookupWithLocation('1.0.0.9').location, { latitude: 13.75, longitude: 100.5 })
  t.equal(flatIntel.lookupWithLocation('1.0.1.9').location, undefined)

  const country = await createIpIntel({ countryDb: writeMmdb(dir, 'country.mmdb', { databaseType: 'GeoLite2-Country', buildEpoch: BUILT }, [['81.2.69.0/24', { country: { iso_code: 'GB' } }]]) })
  t.teardown(() => country.close())
  t.notOk(country.locates, 'a Country database has no locations')
})
