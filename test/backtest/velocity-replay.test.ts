import t from 'tap'
import fc from 'fast-check'
import { recordedIdentify, VelocityReplay } from '../../src/backtest/velocity-replay.js'
import type { VelocityCounterSpec } from '../../src/engine/velocity-spec.js'
import { seededRandom } from '../../src/util/seeded-random.js'
import { entityKey } from '../../src/velocity/entity-op.js'
import { count, distinct, features, MINUTE, sum, T0 } from '../helpers/velocity-fixtures.js'
import type { ChargeInput } from '../helpers/velocity-fixtures.js'
import { naiveCounter } from '../helpers/naive-velocity.js'
import type { NaiveCharge } from '../helpers/naive-velocity.js'

const LIMITS = { maxEntities: 100_000, maxCells: 1_000_000 }

/** charges from small pools, a few seconds to a few minutes apart, some without email or card */
function charges (n: number, seed: number): NaiveCharge[] {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const out: NaiveCharge[] = []
  let at = T0
  for (let i = 0; i < n; i++) {
    at += Math.floor(random() * 3 * MINUTE)
    const input: ChargeInput = { ip: pick(['198.51.100.1', '198.51.100.2', '203.0.113.9', '2001:db8::1']), amount: 100 + Math.floor(random() * 10_000) }
    if (random() < 0.85) input.email = pick(['a@example.com', 'b@example.com', 'c@example.org'])
    if (random() < 0.9) {
      input.fingerprint = `fp_${Math.floor(random() * 12)}`
      input.bin = pick(['424242', '545454'])
    }
    out.push({ atMs: at, features: features(input) })
  }
  return out
}

const SPECS: Array<{ name: string, spec: VelocityCounterSpec }> = [
  { name: 'distinct cards by ip, 10 minutes (exact in time)', spec: distinct('cards_per_ip_10m', 'card.fingerprint', ['ip.address'], 600) },
  { name: 'charges by ip, 10 minutes (buckets of 10 s)', spec: count('charges_per_ip_10m', ['ip.address'], 600) },
  { name: 'charges by email, 1 hour (unknown without email)', spec: count('charges_per_email_1h', ['email.address'], 3600) },
  { name: 'amount by card, 30 minutes', spec: sum('amount_per_card_30m', 'amount', ['card.fingerprint'], 1800) },
  { name: 'distinct cards by BIN and IP, 1 hour (a composite key)', spec: distinct('cards_per_bin_ip_1h', 'card.fingerprint', ['card.bin', 'ip.address'], 3600) },
  { name: 'distinct emails by card, 1 day', spec: distinct('emails_per_card_1d', 'email.address', ['card.fingerprint'], 86_400) }
]

t.test('recounted values are the naive recount of the charges, for every kind of counter', async (t) => {
  const input = charges(600, 7)
  const replay = new VelocityReplay([SPECS.map((s) => s.spec)], LIMITS)
  const got = input.map((c) => replay.count(c.features, c.atMs)[0])
  for (const { name, spec } of SPECS) {
    const want = naiveCounter(input, spec)
    t.ok(want.some((v) => v !== undefined && v > 1), `${name}: the charges make it count`)
    t.same(got.map((g) => g?.values[spec.name]), want, name)
    t.same(got.map((g) => g?.unknown.includes(spec.name)), want.map((v) => v === undefined), `${name}: unknown exactly when a key path is missing`)
  }
})

t.test('rule sets share one store: each reads its own counters under its own names, as if counted alone', async (t) => {
  const input = charges(400, 11)
  const candidate = [SPECS[0]?.spec, SPECS[1]?.spec, { ...SPECS[3]?.spec, name: 'spent_per_card' }] as VelocityCounterSpec[]
  // the same name with another definition, a definition under another name, and one of its own
  const current = [{ ...SPECS[0]?.spec, windowSeconds: 3600 }, { ...SPECS[1]?.spec, name: 'ip_charges' }, SPECS[2]?.spec] as VelocityCounterSpec[]
  const shared = new VelocityReplay([candidate, current], LIMITS)
  const alone = [new VelocityReplay([candidate], LIMITS), new VelocityReplay([current], LIMITS)]
  const sharedValues: unknown[] = []
  const aloneValues: unknown[] = []
  for (const c of input) {
    const both = shared.count(c.features, c.atMs)
    alone.forEach((replay, side) => {
      const own = replay.count(c.features, c.atMs)[0]
      sharedValues.push(both[side]?.values, [...(both[side]?.unknown ?? [])].sort())
      aloneValues.push(own?.values, [...(own?.unknown ?? [])].sort())
    })
  }
  t.same(sharedValues, aloneValues, 'every value and every unknown counter of both sides')
  t.same(shared.counterNames().sort(), ['cards_per_ip_10m', 'charges_per_email_1h', 'charges_per_ip_10m', 'ip_charges', 'spent_per_card'])
  t.ok(shared.stats().entities <= (alone[0]?.stats().entities ?? 0) + (alone[1]?.stats().entities ?? 0))
})

t.test('why a counter is unknown: the key paths the charge lacks', async (t) => {
  const replay = new VelocityReplay([SPECS.map((s) => s.spec)], LIMITS)
  const noCard = features({ email: 'a@example.com' })
  t.same(replay.missingKeyPaths(0, 'cards_per_bin_ip_1h', noCard), ['card.bin'])
  t.same(replay.missingKeyPaths(0, 'charges_per_email_1h', features({})), ['email.address'])
  t.same(replay.missingKeyPaths(0, 'charges_per_ip_10m', noCard), [])
  t.same(replay.missingKeyPaths(0, 'no_such_counter', noCard), [])
})

t.test('the memory bound: entities beyond it are forgotten and counted', async (t) => {
  const replay = new VelocityReplay([[count('per_ip', ['ip.address'], 3600)]], { maxEntities: 10, maxCells: 1_000 })
  for (let i = 0; i < 25; i++) replay.count(features({ ip: `10.0.0.${i}` }), T0 + i)
  t.same(replay.stats(), { entities: 10, cells: 20, forgotten: 15 })
})

t.test('recordedIdentify: a recorded digest is its own key; any other value gets a key that is unique, non-empty and without braces', async (t) => {
  const base64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 1, maxLength: 43 })
  fc.assert(fc.property(base64url, fc.constantFrom('ip.address', 'email.address', 'card.fingerprint', 'customer.id'), (digest, path) => {
    return recordedIdentify(path, digest) === digest && entityKey([path], [digest], recordedIdentify) === `${path}:${digest}`
  }))
  fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
    const ka = recordedIdentify('card.bin', a)
    const kb = recordedIdentify('card.bin', b)
    return ka.length > 0 && !/[{}]/.test(ka) && (a === b) === (ka === kb)
  }))
  t.equal(recordedIdentify('amount', 1200), '1200')
  t.equal(recordedIdentify('billing.postal_code', '10 110'), '10%20110')
})
