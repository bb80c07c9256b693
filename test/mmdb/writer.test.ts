import t from 'tap'
import { Reader } from 'maxmind'
import { MmdbWriter } from '../../src/mmdb/writer.js'
import { double, float, int32, uint128, uint16, uint32, uint64 } from '../../src/mmdb/data-types.js'
import { buildMmdb, readBack } from '../helpers/mmdb-fixtures.js'
import type { FixtureEntries } from '../helpers/mmdb-fixtures.js'

const EPOCH = new Date('2026-06-17T19:00:00Z')

t.test('lookups, network boundaries and prefix lengths (IPv6 tree, IPv4 at ::/96)', async (t) => {
  const reader = readBack({ databaseType: 'Test', buildEpoch: EPOCH }, [
    ['1.2.3.0/24', 'a'],
    [['10.0.0.5', '10.0.1.7'], 'range'],
    ['2001:db8::/32', 'v6'],
    ['2001:db8:1::/48', 'v6-more-specific']
  ])
  const cases: Array<[string, unknown, number]> = [
    ['1.2.3.0', 'a', 24],
    ['1.2.3.255', 'a', 24],
    ['1.2.2.255', null, 24],
    ['1.2.4.0', null, 22],
    ['10.0.0.4', null, 32],
    ['10.0.0.5', 'range', 32], // 10.0.0.5/32
    ['10.0.0.6', 'range', 31], // 10.0.0.6/31
    ['10.0.0.8', 'range', 29],
    ['10.0.0.255', 'range', 25], // 10.0.0.128/25
    ['10.0.1.0', 'range', 29], // 10.0.1.0/29 covers .0-.7
    ['10.0.1.7', 'range', 29],
    ['10.0.1.8', null, 29],
    // the /48 splits the /32: its neighbours are answered with the prefix of their half
    ['2001:db8::1', 'v6', 48],
    ['2001:db8:1::1', 'v6-more-specific', 48],
    ['2001:db8:2::1', 'v6', 47],
    ['2001:db8:8000::1', 'v6', 33],
    ['2001:db9::', null, 32]
  ]
  for (const [ip, value, prefix] of cases) {
    const [got, prefixLength] = reader.getWithPrefixLength(ip)
    t.same(got, value, `${ip} value`)
    t.equal(prefixLength, prefix, `${ip} prefix length`)
  }
  // the same IPv4 data is found as ::a.b.c.d (where it lives) and as ::ffff:a.b.c.d (the alias)
  t.same(reader.getWithPrefixLength('::1.2.3.4'), ['a', 120])
  t.same(reader.getWithPrefixLength('::ffff:1.2.3.4'), ['a', 120])
})

t.test('metadata', async (t) => {
  const reader = readBack({
    databaseType: 'riskgate-Test',
    buildEpoch: EPOCH,
    description: { en: 'English', fr: 'Français' },
    languages: ['en', 'fr']
  }, [['1.0.0.0/8', 1]])
  const m = reader.metadata
  t.equal(m.databaseType, 'riskgate-Test')
  t.equal(m.binaryFormatMajorVersion, 2)
  t.equal(m.binaryFormatMinorVersion, 0)
  t.equal(m.buildEpoch.toISOString(), EPOCH.toISOString())
  t.equal(m.ipVersion, 6)
  t.equal(m.recordSize, 24)
  t.same(m.languages, ['en', 'fr'])
  t.same(m.description, { en: 'English', fr: 'Français' })
  t.ok(m.nodeCount >= 104, 'a /8 in an IPv6 tree needs at least 96 + 8 nodes')

  const plain = readBack({ databaseType: 'x', description: 'just text', buildEpoch: 0 }, [['1.0.0.0/8', 1]])
  t.same(plain.metadata.description, { en: 'just text' })
  t.equal(plain.metadata.buildEpoch.getTime(), 0)
  t.same(plain.metadata.languages, [])
})

t.test('every data type reads back', async (t) => {
  const record = {
    string: 'héllo wörld ✓',
    empty_string: '',
    long_string: 'x'.repeat(300), // size in 2 extra bytes
    longer_string: 'y'.repeat(70000), // size in 3 extra bytes
    uint32_auto: 4294967295,
    zero: 0,
    int32_auto: -2147483648,
    double_auto: 1.5,
    negative_double: -0.25,
    uint16: uint16(65535),
    uint32: uint32(16777216),
    uint64: uint64(18446744073709551615n),
    uint64_small: uint64(5),
    uint128: uint128((1n << 128n) - 1n),
    bigint_auto: 1n << 63n,
    int32: int32(-1),
    int32_positive: int32(70000),
    double_integer: double(90),
    float: float(0.5),
    true: true,
    false: false,
    bytes: Uint8Array.of(0, 1, 2, 255),
    array: [1, 'two', [3], { four: 4 }],
    empty_array: [],
    map: { nested: { deeper: { deepest: 'yes' } } },
    empty_map: {},
    skipped: undefined
  }
  const reader = readBack({ databaseType: 'Types', buildEpoch: EPOCH }, [['1.2.3.4/32', record]])
  const got = reader.get('1.2.3.4') as unknown as Record<string, unknown>
  t.equal(got.string, 'héllo wörld ✓')
  t.equal(got.empty_string, '')
  t.equal(got.long_string, 'x'.repeat(300))
  t.equal(got.longer_string, 'y'.repeat(70000))
  t.equal(got.uint32_auto, 4294967295)
  t.equal(got.zero, 0)
  t.equal(got.int32_auto, -2147483648)
  t.equal(got.double_auto, 1.5)
  t.equal(got.negative_double, -0.25)
  t.equal(got.uint16, 65535)
  t.equal(got.uint32, 16777216)
  t.equal(got.uint64, 18446744073709551615n)
  t.equal(got.uint64_small, 5n)
  t.equal(got.uint128, (1n << 128n) - 1n)
  t.equal(got.bigint_auto, 1n << 63n)
  t.equal(got.int32, -1)
  t.equal(got.int32_positive, 70000)
  t.equal(got.double_integer, 90)
  t.equal(got.float, 0.5)
  t.equal(got.true, true)
  t.equal(got.false, false)
  t.same(Array.from(got.bytes as Uint8Array), [0, 1, 2, 255])
  t.same(got.array, [1, 'two', [3], { four: 4 }])
  t.same(got.empty_array, [])
  t.same(got.map, { nested: { deeper: { deepest: 'yes' } } })
  t.same(got.empty_map, {})
  t.notOk('skipped' in got, 'undefined properties are left out')
})

t.test('scalar records', async (t) => {
  const reader = readBack({ databaseType: 'Scalars', buildEpoch: EPOCH }, [
    ['1.0.0.0/24', 'text'], ['2.0.0.0/24', 42], ['3.0.0.0/24', true], ['4.0.0.0/24', [1, 2]]
  ])
  t.equal(reader.get('1.0.0.1'), 'text')
  t.equal(reader.get('2.0.0.1'), 42)
  t.equal(reader.get('3.0.0.1'), true)
  t.same(reader.get('4.0.0.1'), [1, 2])
})

t.test('an ipVersion 4 database', async (t) => {
  const reader = readBack({ databaseType: 'v4', ipVersion: 4, buildEpoch: EPOCH }, [
    ['0.0.0.0/0', 'default'],
    ['10.0.0.0/8', 'ten'],
    [['255.255.255.0', '255.255.255.255'], 'top']
  ])
  t.equal(reader.metadata.ipVersion, 4)
  t.same(reader.getWithPrefixLength('10.1.2.3'), ['ten', 8])
  t.same(reader.getWithPrefixLength('11.0.0.0'), ['default', 8])
  t.same(reader.getWithPrefixLength('0.0.0.0'), ['default', 5])
  t.same(reader.getWithPrefixLength('255.255.255.255'), ['top', 24])
  t.ok(reader.metadata.nodeCount < 40, `no IPv6 levels (${reader.metadata.nodeCount} nodes)`)
  const writer = new MmdbWriter({ databaseType: 'v4', ipVersion: 4 })
  t.throws(() => writer.insert('2001:db8::/32', 1), /IPv4 database/)
  t.throws(() => writer.insertRange('::1', '::2', 1), /IPv4 database/)
})

t.test('record sizes 24, 28 and 32 give the same answers', async (t) => {
  const entries: Array<[string, string]> = [['1.2.3.0/24', 'a'], ['2001:db8::/32', 'b'], ['255.0.0.0/8', 'c']]
  for (const recordSize of [24, 28, 32] as const) {
    const reader = readBack({ databaseType: 'rs', recordSize, buildEpoch: EPOCH }, entries)
    t.equal(reader.metadata.recordSize, recordSize)
    t.equal(reader.get('1.2.3.4'), 'a', `${recordSize}: IPv4`)
    t.equal(reader.get('2001:db8::5'), 'b', `${recordSize}: IPv6`)
    t.equal(reader.get('255.1.1.1'), 'c', `${recordSize}: last IPv4 /8`)
    t.equal(reader.get('1.2.4.4'), null, `${recordSize}: empty`)
  }
})

t.test('records beyond 2^24 use the high nibbles of 28-bit records and full 32-bit records', async (t) => {
  // a 16 MiB data record pushes the next record's offset past 2^24
  const big = new Uint8Array(16_800_000)
  big[0] = 7
  const entries: FixtureEntries = [['1.0.0.0/8', { blob: big }], ['2.0.0.0/8', 'after the blob']]
  t.throws(() => buildMmdb({ databaseType: 'big', recordSize: 24, buildEpoch: EPOCH }, entries), /too small/)
  for (const recordSize of [28, 32] as const) {
    const reader = readBack({ databaseType: 'big', recordSize, buildEpoch: EPOCH }, entries)
    t.equal(reader.get('2.3.4.5'), 'after the blob', `${recordSize}: record past 2^24`)
    t.equal((reader.get('1.1.1.1') as unknown as { blob: Uint8Array }).blob[0], 7)
  }
  const auto = readBack({ databaseType: 'big', buildEpoch: EPOCH }, entries)
  t.equal(auto.metadata.recordSize, 28, 'the smallest record size that fits is chosen')
})

t.test('identical records are stored once', async (t) => {
  const build = (distinct: boolean): Buffer => {
    const writer = new MmdbWriter({ databaseType: 'dedupe', buildEpoch: EPOCH })
    for (let i = 0; i < 1000; i++) {
      // a fresh object each time: deduplication is by content, not identity
      const record = { autonomous_system_number: distinct ? i + 1 : 13335, autonomous_system_organization: 'Cloudflare, Inc.' }
      writer.insert(`10.${i >> 8}.${i & 255}.0/24`, record)
      writer.insert(`11.${i >> 8}.${i & 255}.0/25`, record) // not adjacent: no merging
    }
    return writer.build()
  }
  const same = new MmdbWriter({ databaseType: 'x' })
  for (let i = 0; i < 1000; i++) same.insert(`10.${i >> 8}.${i & 255}.0/25`, { autonomous_system_number: 13335, autonomous_system_organization: 'Cloudflare, Inc.' })
  const { stats } = same.buildWithStats()
  t.equal(stats.dataRecords, 1, 'one data record for 1000 networks')
  t.ok(stats.dataSectionBytes < 80, `data section ${stats.dataSectionBytes} bytes`)

  const distinct = new Reader(build(true))
  t.same(distinct.get('10.3.231.1'), { autonomous_system_number: 1000, autonomous_system_organization: 'Cloudflare, Inc.' })
  t.same(distinct.get('11.0.0.1'), { autonomous_system_number: 1, autonomous_system_organization: 'Cloudflare, Inc.' })
  t.ok(build(false).length < build(true).length, 'equal records make a smaller file')
  // map keys and repeated strings are pointers after their first copy
  const w = new MmdbWriter({ databaseType: 'x' })
  for (let i = 0; i < 100; i++) w.insert(`12.0.${i}.0/25`, { autonomous_system_number: i + 1, autonomous_system_organization: 'Same Org Name For All' })
  const perRecord = w.buildWithStats().stats.dataSectionBytes / 100
  t.ok(perRecord < 12, `about ${perRecord.toFixed(1)} bytes a record: keys and names are pointers`)
})

t.test('adjacent networks with equal data merge', async (t) => {
  const writer = new MmdbWriter({ databaseType: 'merge', buildEpoch: EPOCH })
  writer.insert('10.0.0.0/25', 'x')
  writer.insert('10.0.0.128/25', 'x')
  const reader = new Reader(writer.build())
  t.same(reader.getWithPrefixLength('10.0.0.1'), ['x', 24])
  t.same(reader.getWithPrefixLength('10.0.0.200'), ['x', 24])
})

t.test('a later insert replaces what it covers', async (t) => {
  const reader = readBack({ databaseType: 'overwrite', buildEpoch: EPOCH }, [
    ['10.0.0.0/24', 'specific'],
    ['10.0.0.0/8', 'general'], // replaces the /24
    ['10.1.0.0/16', 'later specific']
  ])
  t.equal(reader.get('10.0.0.1'), 'general')
  t.equal(reader.get('10.1.2.3'), 'later specific')
  t.equal(reader.get('10.2.0.0'), 'general')
})

t.test('the writer can build again after more inserts', async (t) => {
  const writer = new MmdbWriter({ databaseType: 'twice', buildEpoch: EPOCH })
  writer.insert('1.0.0.0/8', 'one')
  const first = new Reader(writer.build())
  writer.insert('2.0.0.0/8', 'two')
  writer.insert('::ffff:0:0/97', 'would be inside the alias') // now the alias cannot be made
  t.throws(() => writer.build(), /::ffff:0:0\/96/)
  const noAlias = new MmdbWriter({ databaseType: 'twice', aliasIPv4Mapped: false })
  noAlias.insert('1.0.0.0/8', 'one')
  noAlias.insert('::ffff:0:0/97', 'mapped')
  const second = new Reader(noAlias.build())
  t.equal(first.get('1.1.1.1'), 'one')
  t.equal(first.get('2.1.1.1'), null)
  t.equal(second.get('::ffff:1.1.1.1'), 'mapped')
  t.equal(second.get('1.1.1.1'), 'one')
})

t.test('an empty database is valid', async (t) => {
  const reader = readBack({ databaseType: 'empty', buildEpoch: EPOCH }, [])
  t.equal(reader.get('1.2.3.4'), null)
  t.equal(reader.get('2001:db8::1'), null)
  t.equal(reader.metadata.nodeCount, 1)
})

t.test('whole-space networks', async (t) => {
  const v6 = readBack({ databaseType: 'all', buildEpoch: EPOCH }, [['::/0', 'everything']])
  t.equal(v6.get('2001:db8::1'), 'everything')
  t.equal(v6.get('1.2.3.4'), 'everything')
  const v4 = readBack({ databaseType: 'all', buildEpoch: EPOCH }, [[['0.0.0.0', '255.255.255.255'], 'all v4']])
  t.same(v4.getWithPrefixLength('200.1.1.1'), ['all v4', 0])
  t.equal(v4.get('2001:db8::1'), null)
  const full = readBack({ databaseType: 'all', buildEpoch: EPOCH }, [[['::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'], 'full']])
  t.equal(full.get('ffff::1'), 'full')
})

t.test('invalid input is refused', async (t) => {
  const writer = new MmdbWriter({ databaseType: 'bad' })
  t.throws(() => writer.insert('10.0.0.1/8', 1), /zero host bits/)
  t.throws(() => writer.insert('10.0.0.0/33', 1), /not a network/)
  t.throws(() => writer.insert('nonsense', 1), /not a network/)
  t.throws(() => writer.insertRange('10.0.0.2', '10.0.0.1', 1), /start after range end/)
  t.throws(() => writer.insertRange('10.0.0.1', '::1', 1), /mixes/)
  t.throws(() => writer.insert('1.0.0.0/8', null as never), /needs a value/)
  t.throws(() => writer.insert('1.0.0.0/8', { when: new Date() } as never), /plain objects/)
  t.doesNotThrow(() => writer.build(), 'a refused insert leaves nothing behind')
  t.throws(() => new MmdbWriter({ databaseType: '' }), /databaseType/)
  t.throws(() => new MmdbWriter({ databaseType: 'x', recordSize: 16 as never }), /recordSize/)
  t.throws(() => uint16(65536), RangeError)
  t.throws(() => int32(2 ** 31), RangeError)
  t.throws(() => uint64(-1n), RangeError)
  t.throws(() => uint32(1.5), RangeError)
})
