import type { Test } from 'tap'
import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import type { VelocityCounterSpec } from '../../src/engine/velocity-spec.js'
import { createVelocityPlanner } from '../../src/velocity/plan.js'
import type { Identify, VelocityStore } from '../../src/velocity/store.js'
import type { VelocitySignals } from '../../src/schemas/signals.js'
import { count, DAY, distinct, exampleSpecs, features, HOUR, MINUTE, sum, T0 } from './velocity-fixtures.js'
import type { ChargeInput } from './velocity-fixtures.js'
import { identify } from './velocity-identify.js'

export interface StoreOptions {
  maxDistinctPerSeries?: number
}

/** How to get a fresh, empty store of one implementation for each subtest. */
export type CreateStore = (t: Test, options?: StoreOptions) => Promise<VelocityStore>

/** Records charges against one rule set's counters. */
export function recorder (store: VelocityStore, specs: VelocityCounterSpec[], id: Identify = identify) {
  const plan = createVelocityPlanner(specs)
  return async (atMs: number, charge: ChargeInput): Promise<VelocitySignals> =>
    await store.record({ atMs, plan: plan(features(charge)), identify: id })
}

const SECOND = 1000

/**
 * What a count window holds at `at` by the documented rule: the charges whose bucket
 * floor(time / r), r = window / 60, is within the 60 buckets ending at the bucket of `at`.
 * For charges recorded in time order.
 */
export function bucketCount (times: readonly number[], at: number, windowMs: number): number {
  const r = windowMs / 60
  const b = Math.floor(at / r)
  return times.filter((s) => Math.floor(s / r) >= b - 59 && s <= at).length
}

/**
 * The behaviour every VelocityStore has (see src/velocity/store.ts and docs/velocity.md), written
 * once and run against each implementation.
 */
export function velocityStoreSuite (t: Test, create: CreateStore): void {
  t.test('counts charges per IP, the charge being scored included', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    for (let i = 1; i <= 6; i++) {
      const v = await record(T0 + i * SECOND, { ip: '198.51.100.1' })
      t.equal(v.charges_per_ip_1h, i, `charge ${i}, seconds apart, sees ${i}`)
    }
    const other = await record(T0 + 7 * SECOND, { ip: '198.51.100.2' })
    t.equal(other.charges_per_ip_1h, 1, 'another IP is another entity')
  })

  t.test('an entity whose key is unknown is not counted and its counters are absent', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    const v = await record(T0, { ip: '198.51.100.1' })
    t.same(v, { charges_per_ip_1h: 1 }, 'no email, no card: only the IP counter')
    const w = await record(T0 + 1, { ip: '198.51.100.1', email: 'a@example.com' })
    t.same(w, { charges_per_ip_1h: 2, cards_per_email_24h: 0 },
      'email known but no card fingerprint: the distinct count is read, nothing added')
  })

  t.test('an empty plan gives empty signals', async (t) => {
    const store = await create(t)
    t.same(await store.record({ atMs: T0, plan: { entities: [], unknown: [] }, identify }), {})
  })

  t.test('distinct values per entity', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    const cards = ['fp_x', 'fp_y', 'fp_x', 'fp_z', 'fp_y']
    const expected = [1, 2, 2, 3, 3]
    for (const [i, fingerprint] of cards.entries()) {
      const v = await record(T0 + i * MINUTE, { email: 'a@example.com', fingerprint })
      t.equal(v.cards_per_email_24h, expected[i], `after ${cards.slice(0, i + 1).join(',')}`)
    }
    const other = await record(T0 + 10 * MINUTE, { email: 'b@example.com', fingerprint: 'fp_x' })
    t.equal(other.cards_per_email_24h, 1, 'another email has its own set')
    const unknownCard = await record(T0 + 11 * MINUTE, { email: 'a@example.com' })
    t.equal(unknownCard.cards_per_email_24h, 3, 'a charge without the value reads the count without adding')
  })

  t.test('a distinct value seen again stays in the window from its last sighting, exactly in time', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    await record(T0, { email: 'a@example.com', fingerprint: 'fp_x' })
    await record(T0 + 20 * HOUR, { email: 'a@example.com', fingerprint: 'fp_y' })
    t.equal((await record(T0 + 30 * HOUR, { email: 'a@example.com', fingerprint: 'fp_x' })).cards_per_email_24h, 2,
      'fp_x (seen again now) and fp_y')
    t.equal((await record(T0 + 44 * HOUR - 1, { email: 'a@example.com' })).cards_per_email_24h, 2,
      'fp_y, last seen at +20h, is in until +44h')
    t.equal((await record(T0 + 44 * HOUR, { email: 'a@example.com' })).cards_per_email_24h, 1,
      'and out at +44h exactly; fp_x (last seen +30h) is still in')
    t.equal((await record(T0 + 55 * HOUR, { email: 'a@example.com' })).cards_per_email_24h, 0, 'all out')
    t.equal((await record(T0 + 56 * HOUR, { email: 'a@example.com', fingerprint: 'fp_x' })).cards_per_email_24h, 1,
      'a value seen again after leaving counts again')
  })

  t.test('sums per entity over sliding windows', async (t) => {
    const specs = [
      sum('amount_per_card_1h', 'amount', ['card.fingerprint'], 3600),
      sum('amount_per_card_24h', 'amount', ['card.fingerprint'], 86_400)
    ]
    const record = recorder(await create(t), specs)
    const steps: Array<[number, number, number, number]> = [
      // [at offset, amount, expected 1h, expected 24h]
      [0, 100, 100, 100],
      [10 * MINUTE, 250, 350, 350],
      [50 * MINUTE, 50, 400, 400],
      // 1h, buckets of 1 minute: +0 and +10m have left (+10m exactly one window ago)
      [70 * MINUTE, 1, 51, 401],
      [23 * HOUR, 9_000_000_000, 9_000_000_000, 9_000_000_401],
      [25 * HOUR + 30 * MINUTE, 0, 0, 9_000_000_000]
    ]
    for (const [i, [offset, amount, h1, h24]] of steps.entries()) {
      const v = await record(T0 + offset, { fingerprint: 'fp_x', amount })
      t.same(v, { amount_per_card_1h: h1, amount_per_card_24h: h24 }, `step ${i}`)
    }
  })

  t.test('a sum whose value is unknown reads without adding; fractions are truncated', async (t) => {
    const record = recorder(await create(t), [sum('points_per_customer_1h', 'metadata.points', ['customer.id'], 3600)])
    t.equal((await record(T0, { customer: 'c1', metadata: { points: 40 } })).points_per_customer_1h, 40)
    t.equal((await record(T0 + 1, { customer: 'c1' })).points_per_customer_1h, 40, 'absent')
    t.equal((await record(T0 + 2, { customer: 'c1', metadata: { points: 'many' } })).points_per_customer_1h, 40, 'not a number')
    t.equal((await record(T0 + 3, { customer: 'c1', metadata: { points: 2.9 } })).points_per_customer_1h, 42)
    t.equal((await record(T0 + 4, { customer: 'c1', metadata: { points: -2.9 } })).points_per_customer_1h, 40)
    t.equal((await record(T0 + 2 * HOUR, { customer: 'c1' })).points_per_customer_1h, 0, 'read only, after the window')
  })

  t.test('sums near 2^53 are exact, and clamped to +-(2^53 - 1)', async (t) => {
    const specs = [sum('amount_1h', 'amount', ['card.fingerprint'], 3600), sum('points_1h', 'metadata.points', ['card.fingerprint'], 3600)]
    const record = recorder(await create(t), specs)
    const half = 2 ** 52
    t.same(await record(T0, { fingerprint: 'fp', amount: half, metadata: { points: -half } }), { amount_1h: half, points_1h: -half })
    t.same(await record(T0 + MINUTE, { fingerprint: 'fp', amount: half - 1, metadata: { points: -(half - 1) } }),
      { amount_1h: Number.MAX_SAFE_INTEGER, points_1h: -Number.MAX_SAFE_INTEGER }, '2^53 - 1 exactly')
    t.same(await record(T0 + 2 * MINUTE, { fingerprint: 'fp', amount: 5, metadata: { points: -5 } }),
      { amount_1h: Number.MAX_SAFE_INTEGER, points_1h: -Number.MAX_SAFE_INTEGER }, 'clamped')
    t.same(await record(T0 + 60 * MINUTE, { fingerprint: 'fp', amount: 7, metadata: { points: 0 } }),
      { amount_1h: half - 1 + 7, points_1h: -(half - 1) }, 'the first bucket left the window: its value is subtracted exactly')
    t.same(await record(T0 + 62 * MINUTE, { fingerprint: 'fp', amount: 2 ** 60, metadata: { points: 1 } }),
      { amount_1h: Number.MAX_SAFE_INTEGER, points_1h: 1 }, 'a value beyond 2^53 adds 2^53 - 1 at most')
    t.same(await record(T0 + 10 * HOUR, { fingerprint: 'fp', amount: 3, metadata: { points: 3 } }), { amount_1h: 3, points_1h: 3 })
  })

  t.test('composite keys', async (t) => {
    const specs = [
      count('per_bin_ip', ['card.bin', 'ip.address'], 3600),
      count('per_ip_bin', ['ip.address', 'card.bin'], 3600),
      count('per_bin', ['card.bin'], 3600)
    ]
    const record = recorder(await create(t), specs)
    const charges: Array<[ChargeInput, number, number]> = [
      [{ bin: '424242', ip: '198.51.100.1' }, 1, 1],
      [{ bin: '424242', ip: '198.51.100.2' }, 1, 2],
      [{ bin: '424242', ip: '198.51.100.1' }, 2, 3],
      [{ bin: '555555', ip: '198.51.100.1' }, 1, 1]
    ]
    for (const [i, [charge, pair, bin]] of charges.entries()) {
      const v = await record(T0 + i, charge)
      t.same(v, { per_bin_ip: pair, per_ip_bin: pair, per_bin: bin }, `charge ${i}: the order of \`by\` does not matter`)
    }
    const noBin = await record(T0 + 10, { ip: '198.51.100.1' })
    t.same(noBin, {}, 'any unknown part of a composite key: not counted')
  })

  t.test('boundary buckets: a window holds the 60 buckets of W/60 ending at the charge\'s bucket', async (t) => {
    // 1m window: buckets of one second, T0 on a bucket boundary
    const record = recorder(await create(t), [count('per_ip_1m', ['ip.address'], 60)])
    const steps: Array<[number, number, string]> = [
      [999, 1, 'the last millisecond of bucket 0'],
      [59_999, 2, 'bucket 59: bucket 0 is in (59 s earlier: W - r)'],
      [60_000, 2, 'bucket 60: bucket 0 has left, 59.001 s after its charge (between W - r and W)'],
      [119_999, 2, 'bucket 119: bucket 59 has left, bucket 60 is in'],
      [120_000, 2, 'bucket 120: bucket 60 has left'],
      [180_000, 1, 'exactly W after the previous charge: never counted']
    ]
    for (const [offset, expected, why] of steps) {
      t.equal((await record(T0 + offset, { ip: '198.51.100.1' })).per_ip_1m, expected, `+${offset} ms: ${why}`)
    }
  })

  t.test('never a charge older than W, always one less than W - r old', async (t) => {
    const window = 3600
    const r = window * 1000 / 60
    const record = recorder(await create(t), [count('per_ip_1h', ['ip.address'], window)])
    const firsts = [0, 1, r / 2, r - 1]
    const gaps = [1, r, window * 1000 - r - 1, window * 1000 - r, window * 1000 - r + 1, window * 1000 - 1, window * 1000, window * 1000 + 1]
    let ip = 0
    for (const first of firsts) {
      for (const gap of gaps) {
        const charge = { ip: `10.1.${Math.floor(ip / 250)}.${ip % 250}` }
        ip++
        await record(T0 + first, charge)
        const v = (await record(T0 + first + gap, charge)).per_ip_1h as number
        const expected = bucketCount([T0 + first, T0 + first + gap], T0 + first + gap, window * 1000)
        t.equal(v, expected, `first at +${first} ms, second ${gap} ms later`, { diagnostic: false })
        if (gap >= window * 1000) t.equal(v, 1, 'W or more earlier: never counted', { diagnostic: false })
        if (gap < window * 1000 - r) t.equal(v, 2, 'less than W - r earlier: always counted', { diagnostic: false })
      }
    }
  })

  t.test('windows from 1m to 90d, all updated in one call', async (t) => {
    const windows = [60, 300, 3600, 86_400, 604_800, 2_592_000, 7_776_000]
    const specs = windows.map((w) => count(`per_ip_${w}`, ['ip.address'], w))
    const record = recorder(await create(t), specs)
    const offsets = [0, 45_000, 59_000, 61_000, 10 * MINUTE, 2 * HOUR, DAY + 1000, 8 * DAY, 31 * DAY,
      89 * DAY, 90 * DAY, 90 * DAY + 1, 90 * DAY + 30_000, 120 * DAY, 181 * DAY]
    const seen: number[] = []
    for (const offset of offsets) {
      const at = T0 + offset
      seen.push(at)
      const v = await record(at, { ip: '198.51.100.1' })
      const expected = Object.fromEntries(windows.map((w) => [`per_ip_${w}`, bucketCount(seen, at, w * 1000)]))
      t.same(v, expected, `at +${offset} ms`)
    }
  })

  t.test('counters sharing a window all get the value', async (t) => {
    const record = recorder(await create(t), [
      count('a', ['ip.address'], 3600), count('b', ['ip.address'], 3600), count('c', ['ip.address'], 60)
    ])
    t.same(await record(T0, {}), { a: 1, b: 1, c: 1 })
    t.same(await record(T0 + 2 * MINUTE, {}), { a: 2, b: 2, c: 1 })
  })

  t.test('idle entities: buckets leave the window however long the entity was idle', async (t) => {
    const record = recorder(await create(t), [count('m1', ['ip.address'], 60), count('h1', ['ip.address'], 3600)])
    const steps: Array<[number, number, number, string]> = [
      [0, 1, 1, ''],
      [1 * SECOND, 2, 2, ''],
      [2 * SECOND, 3, 3, ''],
      [32 * SECOND, 4, 4, '30 buckets later'],
      [92 * SECOND, 1, 5, '1m: 60 buckets later, everything has left'],
      [137 * SECOND, 2, 6, '1m: 45 buckets later, the charges up to +32 s have left, +92 s is in'],
      [137 * SECOND + 30 * MINUTE, 1, 7, ''],
      [3 * HOUR, 1, 1, 'idle for hours'],
      [3 * HOUR + 2 * DAY, 1, 1, 'idle for days'],
      [3 * HOUR + 2 * DAY + 59 * MINUTE, 1, 2, '']
    ]
    for (const [offset, m1, h1, why] of steps) {
      t.same(await record(T0 + offset, { ip: '198.51.100.9' }), { m1, h1 }, `+${offset} ms ${why}`)
    }
  })

  t.test('clock skew: charges stamped earlier or later than others', async (t) => {
    const record = recorder(await create(t), [count('m1', ['ip.address'], 60), count('h1', ['ip.address'], 3600)])
    const steps: Array<[number, number, number, string]> = [
      [10 * SECOND, 1, 1, 'A'],
      [5 * SECOND, 2, 2, 'B, 5 s behind A: sees A, stamped later'],
      [11 * SECOND, 3, 3, 'C'],
      [-59 * SECOND, 4, 4, 'D, 70 s behind C: older than the 1m ring holds, not kept there, but counts itself'],
      [12 * SECOND, 4, 5, 'E: D is not in the 1m ring'],
      [40 * SECOND, 5, 6, 'F, an instance ahead: moves the head'],
      [13 * SECOND, 6, 7, 'G, behind F'],
      [75 * SECOND, 2, 8, 'H: the 1m ring holds buckets 16..75: F and H']
    ]
    for (const [offset, m1, h1, why] of steps) {
      t.same(await record(T0 + offset, { ip: '198.51.100.7' }), { m1, h1 }, why)
    }
  })

  t.test('a charge exactly one retention after the last one does not hide values from a charge stamped just behind it', async (t) => {
    const record = recorder(await create(t), [distinct('cards_5m', 'card.fingerprint', ['ip.address'], 300)])
    const ip = '198.51.100.8'
    t.same(await record(T0, { ip, fingerprint: 'fp_a' }), { cards_5m: 1 })
    t.same(await record(T0 + 5 * MINUTE, { ip }), { cards_5m: 0 }, 'fp_a, seen 5 min ago, has left this window')
    t.same(await record(T0 + 5 * MINUTE - 1, { ip }), { cards_5m: 1 }, 'but is in the window of a charge 1 ms earlier')
  })
  t.test('counts far above 1,000: 5,000 charges of one entity counted exactly', async (t) => {
    const record = recorder(await create(t), [
      count('card_1h', ['card.fingerprint'], 3600), sum('amount_24h', 'amount', ['card.fingerprint'], 86_400)
    ])
    const wrong: string[] = []
    for (let i = 1; i <= 5000; i++) {
      const v = await record(T0 + i * 500, { fingerprint: 'fp_busy', amount: 3 })
      if (v.card_1h !== i || v.amount_24h !== 3 * i) wrong.push(`${i}: ${JSON.stringify(v)}`)
    }
    t.same(wrong.slice(0, 5), [], 'every charge saw every earlier one')
  })

  t.test('concurrent charges are all counted, each seeing a different count', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    const charge = { ip: '198.51.100.1', email: 'a@example.com', fingerprint: 'fp_x', amount: 10 }
    const many = await Promise.all(Array.from({ length: 30 }, async (_, i) =>
      await record(T0 + 1, { ...charge, fingerprint: `fp_${i % 3}` })))
    t.same(many.map((v) => v.charges_per_ip_1h).sort((a, b) => (a as number) - (b as number)),
      Array.from({ length: 30 }, (_, i) => i + 1), 'updates are atomic')
    const after = await record(T0 + 2, charge)
    t.same(after, { charges_per_ip_1h: 31, cards_per_email_24h: 4, amount_per_card_24h: 10 })
  })

  t.test('not idempotent: recording a charge again counts it again (the caller records once)', async (t) => {
    const record = recorder(await create(t), [count('per_ip', ['ip.address'], 3600)])
    t.same(await record(T0, {}), { per_ip: 1 })
    t.same(await record(T0, {}), { per_ip: 2 })
  })

  t.test('distinct series keep at most maxDistinctPerSeries values', async (t) => {
    const record = recorder(await create(t, { maxDistinctPerSeries: 5 }), [
      count('per_ip', ['ip.address'], 3600),
      distinct('cards_per_ip', 'card.fingerprint', ['ip.address'], 3600),
      sum('amount_per_ip', 'amount', ['ip.address'], 3600)
    ])
    let last: VelocitySignals = {}
    for (let i = 1; i <= 8; i++) last = await record(T0 + i, { fingerprint: `fp_${i}`, amount: i })
    t.same(last, { per_ip: 8, cards_per_ip: 5, amount_per_ip: 36 }, 'counts and sums have no cap; distinct: the newest five')
  })

  t.test('rejects a bad time, a missing identify, an unusable digest or window', async (t) => {
    const store = await create(t)
    const plan = createVelocityPlanner(exampleSpecs)(features({}))
    await t.rejects(store.record({ atMs: 1.5, plan, identify }), TypeError)
    await t.rejects(store.record({ atMs: T0, plan } as unknown as Parameters<VelocityStore['record']>[0]), TypeError)
    await t.rejects(store.record({ atMs: T0, plan, identify: () => '' }), TypeError)
    await t.rejects(store.record({ atMs: T0, plan, identify: () => 'a{b}' }), TypeError)
    const odd = createVelocityPlanner([count('per_ip_90s', ['ip.address'], 90)])(features({}))
    await t.rejects(store.record({ atMs: T0, plan: odd, identify }), RangeError)
  })
}

interface ModelRing {
  head: number
  /** kept charges: [bucket, amount] */
  kept: Array<[number, number]>
}

interface ModelEntity {
  rings: Map<number, ModelRing>
  sums: Map<number, ModelRing>
  /** digest -> time last recorded */
  lastSeen: Map<string, number>
}

/** Per-IP counters of the model check; retention 1h. */
export const MODEL_SPECS = [
  count('per_ip_1m', ['ip.address'], 60),
  count('per_ip_1h', ['ip.address'], 3600),
  sum('amount_per_ip_1h', 'amount', ['ip.address'], 3600),
  distinct('cards_per_ip_5m', 'card.fingerprint', ['ip.address'], 300),
  distinct('cards_per_ip_1h', 'card.fingerprint', ['ip.address'], 3600)
]
const MODEL_RETENTION = HOUR

/**
 * A naive model of the documented semantics for MODEL_SPECS: every kept charge is listed and
 * every value recomputed from the lists (no running totals, no slots). Sums stay far from 2^53.
 */
function modelRecorder (cap: number) {
  const entities = new Map<string, ModelEntity>()
  const ringValue = (rings: Map<number, ModelRing>, windowMs: number, at: number, add: number): number => {
    const r = windowMs / 60
    const b = Math.floor(at / r)
    let ring = rings.get(windowMs)
    if (ring === undefined) {
      ring = { head: b, kept: [] }
      rings.set(windowMs, ring)
    }
    ring.head = Math.max(ring.head, b)
    const inRing = (bucket: number): boolean => bucket >= (ring as ModelRing).head - 59
    ring.kept = ring.kept.filter(([bucket]) => inRing(bucket))
    if (inRing(b)) ring.kept.push([b, add])
    return ring.kept.reduce((s, [, a]) => s + a, 0) + (inRing(b) ? 0 : add)
  }
  return (at: number, ip: string, amount: number, fp: string | undefined): VelocitySignals => {
    let e = entities.get(ip)
    if (e === undefined) {
      e = { rings: new Map(), sums: new Map(), lastSeen: new Map() }
      entities.set(ip, e)
    }
    if (fp !== undefined) {
      const digest = identify('card.fingerprint', fp)
      const added = !e.lastSeen.has(digest)
      e.lastSeen.set(digest, at)
      for (const [v, seen] of e.lastSeen) if (seen <= at - MODEL_RETENTION) e.lastSeen.delete(v)
      if (added && e.lastSeen.size > cap) {
        const order = [...e.lastSeen].sort(([va, ta], [vb, tb]) => ta - tb || (va < vb ? -1 : va > vb ? 1 : 0))
        for (const [v] of order.slice(0, e.lastSeen.size - cap)) e.lastSeen.delete(v)
      }
    }
    const seenAfter = (w: number): number => [...e.lastSeen.values()].filter((seen) => seen > at - w).length
    return {
      per_ip_1m: ringValue(e.rings, MINUTE, at, 1),
      per_ip_1h: ringValue(e.rings, HOUR, at, 1),
      amount_per_ip_1h: ringValue(e.sums, HOUR, at, amount),
      cards_per_ip_5m: seenAfter(5 * MINUTE),
      cards_per_ip_1h: seenAfter(HOUR)
    }
  }
}

export interface ModelCharge {
  at: number
  ip: string
  amount: number
  fp: string | undefined
}

const gapMs = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 * MINUTE }), fc.integer({ min: 0, max: 2 * HOUR }),
  fc.constantFrom(SECOND - 1, SECOND, MINUTE - 1, MINUTE, MINUTE + 1, HOUR))
const behindMs = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 * MINUTE }) })

/**
 * Times for a sequence of charges: moving forward by gaps from 0 to past an hour, some stamped
 * behind the latest time (an instance whose clock is behind; the latest one is then ahead).
 *
 * The stores expire an idle entity on different clocks (Redis on its own, the in-process store on
 * the latest time recorded), so no charge is stamped before the latest expiry of one of its
 * entities that the latest time has passed: such a charge is stamped at that expiry instead (once
 * the entity has expired, a charge stamped before its expiry would find its old values in one store
 * and not in the other, also after later charges have written the entity again). `entitiesOf`
 * names each charge's entities with their retention.
 */
export function timed<C> (steps: ReadonlyArray<{ gapMs: number, behindMs: number, charge: C }>,
  entitiesOf: (charge: C) => Array<[string, number]>): Array<C & { at: number }> {
  let clock = T0
  const expiresAt = new Map<string, number>()
  // per entity, the latest expiry the clock has passed
  const expired = new Map<string, number>()
  return steps.map(({ gapMs, behindMs, charge }) => {
    clock += gapMs
    const entities = entitiesOf(charge)
    let at = clock - behindMs
    for (const [id] of entities) {
      const expiry = expiresAt.get(id)
      if (expiry !== undefined && expiry <= clock) expired.set(id, expiry)
      const floor = expired.get(id)
      if (floor !== undefined && at < floor) at = floor
    }
    for (const [id, retention] of entities) expiresAt.set(id, Math.max(expiresAt.get(id) ?? -Infinity, at + retention))
    return { ...charge, at }
  })
}

/** Steps of `charge` with the gaps and clock skew of `timed`. */
export function timedSteps<C> (charge: fc.Arbitrary<C>, maxLength: number) {
  return fc.array(fc.record({ gapMs, behindMs, charge }), { minLength: 1, maxLength })
}

/** Charges of MODEL_SPECS: three IPs, amounts, four card fingerprints or none. */
export function chargeSequences (maxLength = 40): fc.Arbitrary<ModelCharge[]> {
  const charge = fc.record({
    ip: fc.integer({ min: 0, max: 2 }).map((i) => `198.51.100.${i}`),
    amount: fc.integer({ min: 0, max: 1_000_000 }),
    fp: fc.option(fc.integer({ min: 0, max: 3 }).map((i) => `fp_${i}`), { nil: undefined })
  })
  return timedSteps(charge, maxLength).map((steps) => timed(steps, (c) => [[c.ip, MODEL_RETENTION]]))
}

/** Random charge sequences give what the naive model gives. */
export function velocityStoreModelCheck (t: Test, create: CreateStore, numRuns = 25): void {
  t.test('random sequences agree with a naive model', async (t) => {
    await fc.assert(fc.asyncProperty(chargeSequences(), fc.integer({ min: 1, max: 3 }), async (charges, cap) => {
      const record = recorder(await create(t, { maxDistinctPerSeries: cap }), MODEL_SPECS)
      const model = modelRecorder(cap)
      for (const [i, c] of charges.entries()) {
        const input: ChargeInput = { ip: c.ip, amount: c.amount }
        if (c.fp !== undefined) input.fingerprint = c.fp
        const got = await record(c.at, input)
        const expected = model(c.at, c.ip, c.amount, c.fp)
        if (!isDeepStrictEqual(got, expected)) {
          throw new Error(`step ${i}: got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`)
        }
      }
    }), { numRuns })
    t.pass(`${numRuns} random sequences`)
  })
}
