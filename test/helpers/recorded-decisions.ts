import path from 'node:path'
import { createOfflineScorer } from '../../src/cli/offline-scorer.js'
import { createSnapshotHash, HASHED_PATHS } from '../../src/decision-log/snapshot.js'
import type { SnapshotHash } from '../../src/decision-log/snapshot.js'
import type { DecisionRecord, OutcomeLabel } from '../../src/decision-log/record.js'
import { evaluate } from '../../src/engine/evaluate.js'
import type { CompiledRuleSet } from '../../src/engine/ruleset.js'
import type { ChargeContext } from '../../src/schemas/charge.js'
import { rootDir, testData, TOR_EXIT } from './test-data.js'
import { seededRandom } from '../../src/util/seeded-random.js'
import { createMemoryVelocityStore } from '../../src/velocity/memory-store.js'
import { createVelocityPlanner } from '../../src/velocity/plan.js'

export const RECORDING_HASH_KEY = 'test-recording-hash-key-0123456789abcdef'

/**
 * Charges a shop sees, from a seeded generator: small pools of IPs, emails, cards and customers
 * so that velocity builds up, Tor, datacenter and anonymizer addresses of the test IP data, the
 * blocked email and the trusted customer of rules/lists, gift-card baskets, big amounts,
 * charges without email or card, browsers (a few headless or scripted), languages and shipping
 * addresses.
 */
export function generateCharges (count: number, seed: number): ChargeContext[] {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const ips = [
    ...Array.from({ length: 30 }, (_, i) => `1.128.0.${i + 1}`),
    ...Array.from({ length: 6 }, (_, i) => `3.0.0.${i + 1}`),
    '81.2.69.160', '81.2.69.7', TOR_EXIT, '192.168.1.5', '2001:db8::7'
  ]
  // the device and shipping address from a stream of their own: the other fields stay as they were
  const device = seededRandom(seed + 0x5eed)
  const charges: ChargeContext[] = []
  let burst: { left: number, card: NonNullable<ChargeContext['card']>, ip: string } | undefined
  for (let i = 0; i < count; i++) {
    if (burst !== undefined && burst.left > 0) {
      // card testing: the same card retried from one address, a few seconds apart in the clock
      burst.left--
      charges.push({ charge_id: `ch_gen_${seed}_${i}`, amount: 100 + Math.floor(random() * 900), currency: 'USD', ip: burst.ip, card: { ...burst.card } })
      continue
    }
    if (random() < 0.006) {
      burst = { left: 12, ip: pick(ips), card: { bin: '411111', last4: '1111', country: 'US', fingerprint: `fp_burst_${i}` } }
    }
    const r = random()
    const hot = random() < 0.15
    const charge: ChargeContext = {
      charge_id: `ch_gen_${seed}_${i}`,
      amount: Math.round(10 ** (3 + random() * 4)),
      currency: random() < 0.8 ? 'THB' : 'USD',
      ip: hot ? pick(ips.slice(0, 3)) : pick(ips)
    }
    if (r > 0.1) {
      charge.email = random() < 0.03
        ? 'Blocked.Shopper@example.com'
        : random() < 0.1 ? `buyer${Math.floor(random() * 20)}@mailinator.com` : `user${Math.floor(random() * (hot ? 3 : 200))}@example.com`
    }
    if (random() < 0.5) charge.customer_id = random() < 0.05 ? 'cus_example_trusted' : `cus_${Math.floor(random() * 300)}`
    if (r > 0.05) {
      charge.card = {
        bin: pick(['424242', '545454', '400000', '411111']),
        last4: String(1000 + Math.floor(random() * 9000)),
        country: pick(['AU', 'AU', 'TH', 'US', 'GB', 'DE']),
        fingerprint: `fp_${Math.floor(random() * (hot ? 40 : 400))}`,
        brand: pick(['Visa', 'mastercard']),
        funding: pick(['credit', 'debit', 'prepaid'])
      }
    }
    if (random() < 0.7) charge.billing = { city: 'Bangkok', postal_code: '10110', country: pick(['AU', 'TH', 'US', 'GB']), name: `Name ${i}`, line1: `${i} Road` }
    if (random() < 0.2) {
      charge.description = pick(['3x Gift Card 500', 'Top-up voucher', 'Running shoes', 'e-PIN bundle'])
      charge.items = [{ sku: 'SKU', name: charge.description, category: 'digital', quantity: 1 + Math.floor(random() * 5), unit_price: 50_000 }]
    }
    if (random() < 0.3) charge.metadata = { channel: pick(['web', 'app']), attempt: 1 + Math.floor(random() * 3) }
    addDevice(charge, device)
    charges.push(charge)
  }
  return charges
}

const AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
  'python-requests/2.31.0'
] as const
const LANGUAGES = ['th-TH,th;q=0.9,en;q=0.8', 'en-US,en;q=0.9', 'id-ID,id;q=0.9,en;q=0.8'] as const

/** a shopper's browser (now and then a headless one or a script) and, sometimes, where it ships */
function addDevice (charge: ChargeContext, random: () => number): void {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  if (random() < 0.8) charge.user_agent = random() < 0.9 ? pick(AGENTS.slice(0, 3)) : pick(AGENTS.slice(3))
  if (random() < 0.7) charge.accept_language = pick(LANGUAGES)
  if (charge.billing !== undefined && random() < 0.4) {
    charge.shipping = random() < 0.7 ? { ...charge.billing } : { city: 'Nonthaburi', postal_code: '11000', country: charge.billing.country ?? 'TH' }
  }
}

export interface Recording {
  records: DecisionRecord[]
  ruleSet: CompiledRuleSet
  hash: SnapshotHash
}

/**
 * Scores charges through the service's scorer (the offline scorer: in-process velocity and
 * decision log, test IP data with locations, a rule set folder) on a clock advancing `stepMs` per charge, and
 * reads back the decision log's records, exactly as the service records them.
 */
export async function recordDecisions (t: Parameters<typeof testData>[0], charges: readonly ChargeContext[], options: { rulesDir?: string, stepMs?: number } = {}): Promise<Recording> {
  let clock = Date.UTC(2026, 9, 1)
  const stepMs = options.stepMs ?? 45_000
  const offline = await createOfflineScorer({ rulesDir: options.rulesDir ?? path.join(rootDir, 'rules'), data: testData(t, { locations: true }), now: () => clock, hashKey: RECORDING_HASH_KEY })
  t.teardown(() => offline.close())
  for (const charge of charges) {
    clock += stepMs
    await offline.scorer.score(charge)
  }
  const records: DecisionRecord[] = []
  for await (const record of offline.log.scan()) records.push(record)
  return { records, ruleSet: offline.ruleSet, hash: createSnapshotHash(RECORDING_HASH_KEY) }
}

export function toNdjson (records: readonly DecisionRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n'
}

/**
 * Decides recorded charges again as the service would have with the velocity store down for
 * some of them (`outages`: their places in `records`): their velocity is absent and they say
 * `degraded: ["velocity"]`. `countOutages` says whether the store counted them all the same
 * (the answer was lost, the write was not). Velocity is counted by a fresh in-process store with
 * the live digests (the recorded ones; values kept in clear get a digest of their own), and each
 * decision comes from `ruleSet` (a replay set: its lists hold the hashed entries).
 */
export function redecide (records: readonly DecisionRecord[], ruleSet: CompiledRuleSet, options: { outages: ReadonlySet<number>, countOutages: boolean }): DecisionRecord[] {
  const store = createMemoryVelocityStore()
  const plan = createVelocityPlanner(ruleSet.velocity)
  const hashed: ReadonlySet<string> = new Set(HASHED_PATHS)
  const digest = createSnapshotHash(RECORDING_HASH_KEY)
  const liveIdentify = (path: string, value: string | number | boolean): string => hashed.has(path) ? String(value) : digest(String(value))
  return records.map((record, i) => {
    const features = { ...record.features }
    delete features.velocity
    const outage = options.outages.has(i)
    const atMs = Date.parse(record.at)
    if (!outage || options.countOutages) {
      const velocity = store.recordSync({ atMs, plan: plan(features), identify: liveIdentify })
      if (!outage) features.velocity = velocity
    }
    const evaluation = evaluate(ruleSet, features)
    return {
      ...record,
      features,
      decision: evaluation.decision,
      score: evaluation.score,
      fired: evaluation.reasons.map((r) => r.rule),
      shadow: { decision: evaluation.shadow.decision, score: evaluation.shadow.score, fired: evaluation.shadow.reasons.map((r) => r.rule) },
      skipped: evaluation.skipped.map((s) => s.rule),
      degraded: outage ? ['velocity'] : []
    }
  })
}

/** outcomes as a shop would report them: most charges good, the risky ones fraud, some refunds */
export function labelOutcomes (records: readonly DecisionRecord[], seed: number): DecisionRecord[] {
  const random = seededRandom(seed)
  return records.map((r) => {
    const risky = r.fired.length >= 2 || r.features.ip.is_tor === true || r.amount < 1000
    const x = random()
    let labelled: OutcomeLabel | undefined
    if (x < 0.25) labelled = undefined
    else if (x < 0.3) labelled = 'refund'
    else if (risky) labelled = x < 0.8 ? 'chargeback' : x < 0.9 ? 'fraud' : 'review_rejected'
    else labelled = x < 0.95 ? 'legit' : 'review_approved'
    return labelled === undefined ? r : { ...r, outcome: { label: labelled, at: r.at, source: 'api' } }
  })
}
