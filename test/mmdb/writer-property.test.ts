import t from 'tap'
import fc from 'fast-check'
import { Reader } from 'maxmind'
import { MmdbWriter } from '../../src/mmdb/writer.js'
import { bigIntToBytes, formatIPv6 } from '../../src/mmdb/ip-address.js'

const v4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
const v6 = (n: bigint): string => formatIPv6(bigIntToBytes(n, 16))

/** Sorted distinct boundaries paired into non-overlapping inclusive ranges. */
function rangesFrom<T extends number | bigint> (points: T[]): Array<[T, T]> {
  const sorted = [...new Set(points)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const ranges: Array<[T, T]> = []
  for (let i = 0; i + 1 < sorted.length; i += 2) ranges.push([sorted[i] as T, sorted[i + 1] as T])
  if (sorted.length % 2 === 1) {
    const last = sorted[sorted.length - 1] as T
    ranges.push([last, last])
  }
  return ranges
}

function expected<T extends number | bigint> (ranges: Array<[T, T]>, ip: T): number | null {
  for (let i = 0; i < ranges.length; i++) {
    const [a, b] = ranges[i] as [T, T]
    if (ip >= a && ip <= b) return i
  }
  return null
}

t.test('IPv4 ranges: every address inside maps to its data, the neighbours do not', async (t) => {
  const uint32 = fc.integer({ min: 0, max: 0xffffffff })
  t.doesNotThrow(() => fc.assert(fc.property(
    fc.array(uint32, { minLength: 1, maxLength: 40 }),
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
    fc.constantFrom<4 | 6>(4, 6),
    (points, fractions, ipVersion) => {
      const ranges = rangesFrom(points)
      const writer = new MmdbWriter({ databaseType: 'prop', ipVersion, buildEpoch: 0 })
      ranges.forEach(([a, b], i) => writer.insertRange(v4(a), v4(b), { range: i }))
      const reader = new Reader(writer.build())
      for (const [a, b] of ranges) {
        const probes = [a, b, a - 1, b + 1, ...fractions.map((f) => a + Math.floor(f * (b - a)))]
        for (const ip of probes) {
          if (ip < 0 || ip > 0xffffffff) continue
          const want = expected(ranges, ip)
          const got = reader.get(v4(ip)) as { range: number } | null
          if ((got?.range ?? null) !== want) return false
        }
      }
      return true
    }
  ), { numRuns: 150 }))
})

t.test('IPv6 ranges: every address inside maps to its data, the neighbours do not', async (t) => {
  const uint128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n })
  t.doesNotThrow(() => fc.assert(fc.property(
    fc.array(uint128, { minLength: 1, maxLength: 30 }),
    fc.array(fc.bigInt({ min: 0n, max: 1000n }), { minLength: 1, maxLength: 6 }),
    (points, permille) => {
      const ranges = rangesFrom(points)
      // random ranges may cover ::ffff:0:0/96, which the IPv4-mapped alias reserves
      const writer = new MmdbWriter({ databaseType: 'prop', ipVersion: 6, buildEpoch: 0, aliasIPv4Mapped: false })
      ranges.forEach(([a, b], i) => writer.insertIPv6Range(a, b, i))
      const reader = new Reader(writer.build())
      const max = (1n << 128n) - 1n
      for (const [a, b] of ranges) {
        const probes = [a, b, a - 1n, b + 1n, ...permille.map((p) => a + ((b - a) * p) / 1000n)]
        for (const ip of probes) {
          if (ip < 0n || ip > max) continue
          if (reader.get(v6(ip)) !== expected(ranges, ip)) return false
        }
      }
      return true
    }
  ), { numRuns: 100 }))
})

t.test('overlapping networks: the last insert covering an address wins', async (t) => {
  const network = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
    .map(([address, prefix]) => {
      const size = 2 ** (32 - prefix)
      const start = Math.floor(address / size) * size
      return { start, end: start + size - 1, prefix }
    })
  t.doesNotThrow(() => fc.assert(fc.property(
    fc.array(network, { minLength: 1, maxLength: 30 }),
    fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 20 }),
    (networks, extra) => {
      const writer = new MmdbWriter({ databaseType: 'prop', buildEpoch: 0 })
      networks.forEach(({ start, prefix }, i) => writer.insert(`${v4(start)}/${prefix}`, i % 3 === 0 ? 'shared' : i))
      const reader = new Reader(writer.build())
      const probes = [...extra]
      for (const { start, end } of networks) probes.push(start, end, start - 1, end + 1)
      for (const ip of probes) {
        if (ip < 0 || ip > 0xffffffff) continue
        let want: string | number | null = null
        networks.forEach(({ start, end }, i) => {
          if (ip >= start && ip <= end) want = i % 3 === 0 ? 'shared' : i
        })
        if (reader.get(v4(ip)) !== want) return false
      }
      return true
    }
  ), { numRuns: 200 }))
})
