import type { Test } from 'tap'
import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import type { VelocityCounterSpec } from '../../src/engine/velocity-spec.js'
import { createVelocityPlanner } from '../../src/velocity/plan.js'
import type { VelocityStore } from '../../src/velocity/store.js'
import type { VelocitySignals } from '../../src/schemas/signals.js'
import { count, DAY, distinct, exampleSpecs, features, HOUR, MINUTE, sum, T0 } from './velocity-fixtures.js'
import type { ChargeInput } from './velocity-fixtures.js'

export interface StoreOptions {
  maxEventsPerSeries?: number
}

/** How to get a fresh, empty store of one implementation for each subtest. */
export type CreateStore = (t: Test, options?: StoreOptions) => Promise<VelocityStore>

/** Records charges against one rule set's counters. */
export function recorder (store: VelocityStore, specs: VelocityCounterSpec[]) {
  const plan = createVelocityPlanner(specs)
  return async (chargeId: string, atMs: number, charge: ChargeInput): Promise<VelocitySignals> =>
    await store.record({ chargeId, atMs, plan: plan(features(charge)) })
}

/**
 * The behaviour every VelocityStore has (see src/velocity/store.ts), written once and run against
 * each implementation.
 */
export function velocityStoreSuite (t: Test, create: CreateStore): void {
  t.test('counts charges per IP, the charge being scored included', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    for (let i = 1; i <= 6; i++) {
      const v = await record(`ch_${i}`, T0 + i * 1000, { ip: '198.51.100.1' })
      t.equal(v.charges_per_ip_1h, i, `charge ${i} sees ${i}`)
    }
    const other = await record('ch_other', T0 + 7000, { ip: '198.51.100.2' })
    t.equal(other.charges_per_ip_1h, 1, 'another IP is another entity')
  })

  t.test('an entity whose key is unknown is not counted and its counters are absent', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    const v = await record('ch_1', T0, { ip: '198.51.100.1' })
    t.same(v, { charges_per_ip_1h: 1 }, 'no email, no card: only the IP counter')
    const w = await record('ch_2', T0 + 1, { ip: '198.51.100.1', email: 'a@example.com' })
    t.same(w, { charges_per_ip_1h: 2, cards_per_email_24h: 0 },
      'email known but no card fingerprint: the distinct count is read, nothing added')
  })

  t.test('an empty plan gives empty signals', async (t) => {
    const store = await create(t)
    t.same(await store.record({ chargeId: 'ch', atMs: T0, plan: { entities: [], unknown: [] } }), {})
  })

  t.test('distinct values per entity', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    const cards = ['fp_x', 'fp_y', 'fp_x', 'fp_z', 'fp_y']
    const expected = [1, 2, 2, 3, 3]
    for (const [i, fingerprint] of cards.entries()) {
      const v = await record(`ch_${i}`, T0 + i * MINUTE, { email: 'a@example.com', fingerprint })
      t.equal(v.cards_per_email_24h, expected[i], `after ${cards.slice(0, i + 1).join(',')}`)
    }
    const other = await record('ch_b', T0 + 10 * MINUTE, { email: 'b@example.com', fingerprint: 'fp_x' })
    t.equal(other.cards_per_email_24h, 1, 'another email has its own set')
    const unknownCard = await record('ch_nocard', T0 + 11 * MINUTE, { email: 'a@example.com' })
    t.equal(unknownCard.cards_per_email_24h, 3, 'a charge without the value reads the count without adding')
  })

  t.test('a distinct value seen again stays in the window from its last sighting', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    await record('ch_1', T0, { email: 'a@example.com', fingerprint: 'fp_x' })
    await record('ch_2', T0 + 20 * HOUR, { email: 'a@example.com', fingerprint: 'fp_y' })
    t.equal((await record('ch_3', T0 + 30 * HOUR, { email: 'a@example.com', fingerprint: 'fp_x' })).cards_per_email_24h, 2,
      'fp_x (seen again now) and fp_y')
    t.equal((await record('ch_4', T0 + 45 * HOUR, { email: 'a@example.com' })).cards_per_email_24h, 1,
      'fp_y left the window at +44h, fp_x (last seen +30h) is still in')
    t.equal((await record('ch_5', T0 + 55 * HOUR, { email: 'a@example.com' })).cards_per_email_24h, 0, 'all out')
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
      [70 * MINUTE, 1, 51, 401],
      [23 * HOUR, 9_000_000_000, 9_000_000_000, 9_000_000_401],
      [25 * HOUR, 0, 0, 9_000_000_001]
    ]
    for (const [i, [offset, amount, h1, h24]] of steps.entries()) {
      const v = await record(`ch_${i}`, T0 + offset, { fingerprint: 'fp_x', amount })
      t.same(v, { amount_per_card_1h: h1, amount_per_card_24h: h24 }, `step ${i}`)
    }
  })

  t.test('a sum whose value is unknown reads without adding', async (t) => {
    const record = recorder(await create(t), [sum('points_per_customer_1h', 'metadata.points', ['customer.id'], 3600)])
    t.equal((await record('ch_1', T0, { customer: 'c1', metadata: { points: 40 } })).points_per_customer_1h, 40)
    t.equal((await record('ch_2', T0 + 1, { customer: 'c1' })).points_per_customer_1h, 40, 'absent')
    t.equal((await record('ch_3', T0 + 2, { customer: 'c1', metadata: { points: 'many' } })).points_per_customer_1h, 40, 'not a number')
    t.equal((await record('ch_4', T0 + 3, { customer: 'c1', metadata: { points: 2 } })).points_per_customer_1h, 42)
  })

  t.test('sums saturate at the largest safe integer', async (t) => {
    const record = recorder(await create(t), [sum('amount_per_card_1h', 'amount', ['card.fingerprint'], 3600)])
    await record('ch_1', T0, { fingerprint: 'fp', amount: Number.MAX_SAFE_INTEGER })
    const v = await record('ch_2', T0 + 1, { fingerprint: 'fp', amount: Number.MAX_SAFE_INTEGER })
    t.equal(v.amount_per_card_1h, Number.MAX_SAFE_INTEGER)
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
      const v = await record(`ch_${i}`, T0 + i, charge)
      t.same(v, { per_bin_ip: pair, per_ip_bin: pair, per_bin: bin }, `charge ${i}: the order of \`by\` does not matter`)
    }
    const noBin = await record('ch_nobin', T0 + 10, { ip: '198.51.100.1' })
    t.same(noBin, {}, 'any unknown part of a composite key: not counted')
  })

  t.test('windows slide exactly: a charge is in window w while now - w < its time', async (t) => {
    const record = recorder(await create(t), [count('per_ip_1m', ['ip.address'], 60)])
    const steps: Array<[number, number]> = [
      // [at offset, expected]: +0 is still in at +59.999 s and out at +60 s, +30 s out at +90 s
      [0, 1], [30_000, 2], [59_999, 3], [60_000, 3], [90_000, 3], [200_000, 1]
    ]
    for (const [offset, expected] of steps) {
      const v = await record(`ch_${offset}`, T0 + offset, { ip: '198.51.100.1' })
      t.equal(v.per_ip_1m, expected, `at +${offset} ms`)
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
      const v = await record(`ch_${offset}`, at, { ip: '198.51.100.1' })
      const expected = Object.fromEntries(windows.map((w) =>
        [`per_ip_${w}`, seen.filter((s) => at - w * 1000 < s).length]))
      t.same(v, expected, `at +${offset} ms`)
    }
  })

  t.test('counters sharing a window all get the value', async (t) => {
    const record = recorder(await create(t), [
      count('a', ['ip.address'], 3600), count('b', ['ip.address'], 3600), count('c', ['ip.address'], 60)
    ])
    t.same(await record('ch_1', T0, {}), { a: 1, b: 1, c: 1 })
    t.same(await record('ch_2', T0 + 2 * MINUTE, {}), { a: 2, b: 2, c: 1 })
  })

  t.test('idempotent: the same charge id counts once and returns the same values', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    const charge = { ip: '198.51.100.1', email: 'a@example.com', fingerprint: 'fp_x', bin: '424242', amount: 500 }
    await record('ch_0', T0, { ...charge, fingerprint: 'fp_w', amount: 7 })
    const first = await record('ch_1', T0 + 1000, charge)
    const expected = { charges_per_ip_1h: 2, cards_per_email_24h: 2, amount_per_card_24h: 500, charges_per_bin_ip_1h: 2 }
    t.same(first, expected)
    t.same(await record('ch_1', T0 + 1000, charge), expected, 'the same call again')
    t.same(await record('ch_1', T0 + 5000, { ...charge, amount: 900 }), expected,
      'a retry later, even with another amount, adds nothing and reads as of the first recording')
    t.same(await record('ch_2', T0 + 6000, charge),
      { charges_per_ip_1h: 3, cards_per_email_24h: 2, amount_per_card_24h: 1000, charges_per_bin_ip_1h: 3 },
      'the next charge sees ch_1 once')
    t.same(await record('ch_1', T0 + 7000, charge),
      { ...expected, charges_per_ip_1h: 3, amount_per_card_24h: 1000, charges_per_bin_ip_1h: 3 },
      'a retry after another charge also sees that charge')
  })

  t.test('a retry long after the first recording still counts the charge itself', async (t) => {
    const record = recorder(await create(t), [count('per_ip_1h', ['ip.address'], 3600), count('per_ip_1d', ['ip.address'], 86_400)])
    t.same(await record('ch_1', T0, {}), { per_ip_1h: 1, per_ip_1d: 1 })
    t.same(await record('ch_1', T0 + 2 * HOUR, {}), { per_ip_1h: 1, per_ip_1d: 1 })
    t.same(await record('ch_2', T0 + 2 * HOUR, {}), { per_ip_1h: 1, per_ip_1d: 2 })
  })

  t.test('concurrent duplicates count once; concurrent charges are all counted', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    const charge = { ip: '198.51.100.1', email: 'a@example.com', fingerprint: 'fp_x', amount: 10 }
    const dups = await Promise.all(Array.from({ length: 20 }, async () => await record('ch_dup', T0, charge)))
    for (const v of dups) t.same(v, { charges_per_ip_1h: 1, cards_per_email_24h: 1, amount_per_card_24h: 10 })
    const many = await Promise.all(Array.from({ length: 30 }, async (_, i) =>
      await record(`ch_${i}`, T0 + 1, { ...charge, fingerprint: `fp_${i % 3}` })))
    t.same(many.map((v) => v.charges_per_ip_1h).sort((a, b) => (a as number) - (b as number)),
      Array.from({ length: 30 }, (_, i) => i + 2), 'each charge saw a different count: updates are atomic')
    const after = await record('ch_last', T0 + 2, charge)
    t.same(after, { charges_per_ip_1h: 32, cards_per_email_24h: 4, amount_per_card_24h: 20 },
      'fp_x: ch_dup and ch_last; the email saw fp_x, fp_0, fp_1, fp_2')
  })

  t.test('idempotency is per entity: a charge id counts once in each of its entities', async (t) => {
    const record = recorder(await create(t), exampleSpecs)
    await record('ch_1', T0, { ip: '198.51.100.1', fingerprint: 'fp_x', amount: 5 })
    const v = await record('ch_1', T0 + 1, { ip: '198.51.100.2', fingerprint: 'fp_x', amount: 5 })
    t.same(v, { charges_per_ip_1h: 1, amount_per_card_24h: 5 },
      'the retry with another IP counts in the new IP, not twice in the card')
  })

  t.test('memory per series is bounded: counts saturate at the cap', async (t) => {
    const record = recorder(await create(t, { maxEventsPerSeries: 5 }), [
      count('per_ip', ['ip.address'], 3600),
      distinct('cards_per_ip', 'card.fingerprint', ['ip.address'], 3600),
      sum('amount_per_ip', 'amount', ['ip.address'], 3600)
    ])
    let last: VelocitySignals = {}
    for (let i = 1; i <= 8; i++) last = await record(`ch_${i}`, T0 + i, { fingerprint: `fp_${i}`, amount: i })
    t.same(last, { per_ip: 5, cards_per_ip: 5, amount_per_ip: 4 + 5 + 6 + 7 + 8 }, 'the newest five')
  })

  t.test('rejects a bad charge id or time', async (t) => {
    const store = await create(t)
    const plan = createVelocityPlanner(exampleSpecs)(features({}))
    await t.rejects(store.record({ chargeId: '', atMs: T0, plan }), TypeError)
    await t.rejects(store.record({ chargeId: 'ch', atMs: 1.5, plan }), TypeError)
  })
}

interface ModelEntity {
  events: Map<string, number>
  amounts: Map<string, [number, number]>
  lastSeen: Map<string, number>
}

/**
 * A naive model of the documented semantics for one entity kind (per IP): count 1m and 1h,
 * sum of amount 1h, distinct fingerprints 1h; retention 1h, pruned on write.
 */
function modelRecorder () {
  const retention = HOUR
  const entities = new Map<string, ModelEntity>()
  const prune = <V>(map: Map<string, V>, timeOf: (v: V) => number, now: number): void => {
    for (const [k, v] of map) if (timeOf(v) <= now - retention) map.delete(k)
  }
  return (chargeId: string, now: number, ip: string, amount: number, fp: string | undefined): VelocitySignals => {
    let e = entities.get(ip)
    if (e === undefined) {
      e = { events: new Map(), amounts: new Map(), lastSeen: new Map() }
      entities.set(ip, e)
    }
    let t = e.events.get(chargeId)
    if (t === undefined) {
      t = now
      e.events.set(chargeId, now)
      prune(e.events, (at) => at, now)
      e.amounts.set(chargeId, [now, amount])
      prune(e.amounts, ([at]) => at, now)
      if (fp !== undefined) {
        e.lastSeen.set(fp, Math.max(e.lastSeen.get(fp) ?? -Infinity, now))
        prune(e.lastSeen, (at) => at, now)
      }
    }
    const from = t
    const inWindow = (at: number, w: number): boolean => at > from - w
    return {
      per_ip_1m: [...e.events.values()].filter((at) => inWindow(at, MINUTE)).length,
      per_ip_1h: [...e.events.values()].filter((at) => inWindow(at, HOUR)).length,
      amount_per_ip_1h: [...e.amounts.values()].filter(([at]) => inWindow(at, HOUR)).reduce((s, [, a]) => s + a, 0),
      cards_per_ip_1h: [...e.lastSeen.values()].filter((at) => inWindow(at, HOUR)).length
    }
  }
}

/** Random charge sequences (new charges and retries) give what the naive model gives. */
export function velocityStoreModelCheck (t: Test, create: CreateStore, numRuns = 25): void {
  t.test('random sequences agree with a naive model', async (t) => {
    const specs = [
      count('per_ip_1m', ['ip.address'], 60),
      count('per_ip_1h', ['ip.address'], 3600),
      sum('amount_per_ip_1h', 'amount', ['ip.address'], 3600),
      distinct('cards_per_ip_1h', 'card.fingerprint', ['ip.address'], 3600)
    ]
    const step = fc.record({
      retry: fc.boolean(),
      back: fc.integer({ min: 0, max: 2 }),
      gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 * MINUTE }), fc.constantFrom(MINUTE - 1, MINUTE, MINUTE + 1)),
      ip: fc.integer({ min: 0, max: 2 }),
      amount: fc.integer({ min: 0, max: 1_000_000 }),
      fp: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined })
    })
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
      const record = recorder(await create(t), specs)
      const model = modelRecorder()
      const issued: Array<{ id: string, ip: string, amount: number, fp: string | undefined }> = []
      let now = T0
      for (const [i, s] of steps.entries()) {
        now += s.gapMs
        const previous = issued[issued.length - 1 - s.back]
        // a retry resends an earlier charge as it was (the same id and values)
        const charge = s.retry && previous !== undefined
          ? previous
          : { id: `ch_${i}`, ip: `198.51.100.${s.ip}`, amount: s.amount, fp: s.fp === undefined ? undefined : `fp_${s.fp}` }
        if (charge !== previous) issued.push(charge)
        const input: ChargeInput = { ip: charge.ip, amount: charge.amount }
        if (charge.fp !== undefined) input.fingerprint = charge.fp
        const got = await record(charge.id, now, input)
        const expected = model(charge.id, now, charge.ip, charge.amount, charge.fp)
        if (!isDeepStrictEqual(got, expected)) {
          throw new Error(`step ${i}: got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`)
        }
      }
    }), { numRuns })
    t.pass(`${numRuns} random sequences`)
  })
}
