/**
 * Backtest throughput: generates N realistic decision records (default 1,000,000) as NDJSON in a
 * temp folder, then runs `riskgate backtest` on them in a fresh process and reports the time,
 * records/s and the peak resident memory of that process.
 *
 *   npx tsx bench/backtest.ts [--records N] [--keep]
 *
 * The records are what the decision log holds (src/decision-log/codec.ts, as decoded):
 * features of a Thai shop's traffic (IP country/ASN/anonymizer flags, disposable and blocked
 * emails, cards, billing, baskets), identifiers replaced by keyed hashes, one charge every 5 s,
 * velocity counted as the service counts it (the in-process store, entity keys made of the keyed
 * digests; 0.1% of the charges decided while the store was down, not counted), each decided by
 * the default rule set (rules/), 30% with an outcome. Two runs, velocity recounted from the
 * records: a candidate (block from 70, tor_exit removed, trusted_customer enforced, a new counter
 * cards_per_ip_10m and a rule on it) against the recorded decisions, then against the default
 * set replayed with --current (two evaluations and two velocity stores per record). Speed is
 * measured here, never asserted in tests.
 */
import { spawnSync } from 'node:child_process'
import { createWriteStream, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { prepareReplay } from '../src/backtest/replay-ruleset.js'
import type { DecisionRecord } from '../src/decision-log/record.js'
import { createSnapshotHash, HASHED_PATHS } from '../src/decision-log/snapshot.js'
import { evaluate } from '../src/engine/evaluate.js'
import type { Features } from '../src/engine/features.js'
import { loadRuleSet } from '../src/ruleset/load.js'
import { seededRandom } from '../src/util/seeded-random.js'
import { createMemoryVelocityStore } from '../src/velocity/memory-store.js'
import { createVelocityPlanner } from '../src/velocity/plan.js'
import type { Identify } from '../src/velocity/store.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const HASH_KEY = 'bench-backtest-hash-key-0123456789abcdef'

const random = seededRandom(20261122)
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
/** a skewed draw from 0..n-1: a few heavy hitters, a long tail */
const skewed = (n: number): number => Math.floor(n * random() ** 3)

const hash = createSnapshotHash(HASH_KEY)
const hashed = new Map<string, string>()
function h (value: string): string {
  let digest = hashed.get(value)
  if (digest === undefined) {
    digest = hash(value)
    if (hashed.size < 400_000) hashed.set(value, digest)
  }
  return digest
}

const IP_PROFILES = [
  { country: 'TH', asn: 131445, as_org: 'Advanced Wireless Network', hosting: false, weight: 60 },
  { country: 'TH', asn: 23969, as_org: 'TOT Public Company Limited', hosting: false, weight: 15 },
  { country: 'SG', asn: 16509, as_org: 'Amazon.com, Inc.', hosting: true, weight: 4 },
  { country: 'US', asn: 14061, as_org: 'DigitalOcean, LLC', hosting: true, weight: 3 },
  { country: 'MY', asn: 4788, as_org: 'TM Net', hosting: false, weight: 6 },
  { country: 'DE', asn: 24940, as_org: 'Hetzner Online GmbH', hosting: true, weight: 2 },
  { country: 'VN', asn: 7552, as_org: 'Viettel Group', hosting: false, weight: 6 },
  { country: 'NL', asn: 60729, as_org: 'Tor exit operator', hosting: true, weight: 1 },
  { country: 'GB', asn: 5089, as_org: 'Virgin Media', hosting: false, weight: 3 }
] as const
const PROFILE_TABLE = IP_PROFILES.flatMap((p) => Array.from({ length: p.weight }, () => p))

// the service's identify: the keyed digest of the value as given; the features hold the digests
// of identifiers already (the record's), the digest of a value kept in clear (a BIN) is computed
const HASHED: ReadonlySet<string> = new Set(HASHED_PATHS)
const liveIdentify: Identify = (path, value) => HASHED.has(path) ? String(value) : h(String(value))

function features (i: number): Features {
  const profile = pick(PROFILE_TABLE)
  const tor = profile.as_org === 'Tor exit operator' && random() < 0.7
  const ip = `${10 + skewed(200)}.${skewed(250)}.${Math.floor(random() * 250)}.${Math.floor(random() * 250)}`
  const thb = random() < 0.85
  const risky = tor || profile.hosting || random() < 0.03
  const f: Features = {
    amount: Math.round(10 ** (thb ? 4 + random() * 3.2 : 2.5 + random() * 3)),
    currency: thb ? 'THB' : pick(['USD', 'SGD', 'EUR']),
    item_count: 0,
    items: [],
    metadata: random() < 0.5 ? { channel: pick(['web', 'app']), attempt: 1 + skewed(3) } : {},
    ip: {
      address: h(ip),
      version: 4,
      is_private: false,
      country: profile.country,
      asn: profile.asn,
      as_org: profile.as_org,
      is_tor: tor,
      is_hosting: profile.hosting
    },
    customer: random() < 0.6 ? { id: h(random() < 0.01 ? 'cus_example_trusted' : `cus_${skewed(300_000)}`) } : {}
  }
  if (random() < 0.3) f.ip.is_anonymous = tor || (profile.hosting && random() < 0.5)
  if (random() < 0.92) {
    const disposable = random() < (risky ? 0.3 : 0.02)
    const domain = disposable ? pick(['mailinator.com', 'guerrillamail.com', '10minutemail.com']) : pick(['gmail.com', 'hotmail.com', 'yahoo.co.th', 'outlook.com'])
    const address = random() < 0.002 ? 'blocked.shopper@example.com' : `user${skewed(500_000)}@${domain}`
    f.email = { address: h(address), domain: address.slice(address.indexOf('@') + 1), is_disposable: disposable }
  }
  if (random() < 0.95) {
    const cardCountry = random() < (risky ? 0.5 : 0.9) ? 'TH' : pick(['US', 'GB', 'MY', 'SG', 'FR'])
    f.card = {
      bin: pick(['424242', '545454', '411111', '400000', '510510', '356600']),
      last4: String(1000 + Math.floor(random() * 9000)),
      country: cardCountry,
      brand: pick(['visa', 'mastercard', 'jcb']),
      funding: pick(['credit', 'credit', 'debit', 'prepaid']),
      fingerprint: h(`fp_${skewed(800_000)}`)
    }
  }
  if (random() < 0.7) {
    f.billing = { name: h(`Name ${i % 100_000}`), line1: h(`${i % 5000} Sukhumvit Rd`), city: 'Bangkok', postal_code: String(10_100 + skewed(900)), country: random() < 0.9 ? 'TH' : pick(['US', 'MY']) }
  }
  if (random() < 0.25) {
    const gift = random() < (risky ? 0.4 : 0.05)
    f.description = gift ? pick(['3x Gift Card 1000 THB', 'Top-up voucher bundle', 'e-PIN x5']) : pick(['Order: running shoes', 'Coffee beans 1kg', 'Phone case'])
    const quantity = gift ? 1 + Math.floor(random() * 6) : 1 + skewed(3)
    f.items = [{ sku: `SKU-${skewed(5000)}`, name: f.description, category: gift ? 'digital' : 'goods', quantity, unit_price: Math.round(f.amount / quantity) }]
    f.item_count = quantity
  }
  return f
}

async function generate (file: string, count: number): Promise<number> {
  const ruleSet = await loadRuleSet(path.join(root, 'rules'))
  const replay = prepareReplay(ruleSet, readFileSync(path.join(root, 'rules', 'ruleset.yaml'), 'utf8'), hash).replay
  const out = createWriteStream(file)
  let batch: string[] = []
  const start = Date.UTC(2026, 9, 1)
  const velocity = createMemoryVelocityStore()
  const plan = createVelocityPlanner(ruleSet.velocity)
  for (let i = 0; i < count; i++) {
    const f = features(i)
    const atMs = start + Math.floor(i * 5_000)
    const degraded = random() < 0.001
    if (!degraded) f.velocity = velocity.recordSync({ atMs, plan: plan(f), identify: liveIdentify })
    const evaluation = evaluate(replay, f)
    const record: DecisionRecord = {
      v: 1,
      decision_id: `dec_${i.toString(36).padStart(8, '0')}`,
      charge_id: `chrg_bench_${i}`,
      at: new Date(atMs).toISOString(),
      amount: f.amount,
      currency: f.currency,
      features: f,
      ruleset: { version: ruleSet.version, hash: ruleSet.hash },
      data: { country: '2026-06-17T19:51:40.000Z', asn: '2026-06-17T19:00:00.000Z' },
      decision: evaluation.decision,
      score: evaluation.score,
      fired: evaluation.reasons.map((r) => r.rule),
      shadow: { decision: evaluation.shadow.decision, score: evaluation.shadow.score, fired: evaluation.shadow.reasons.map((r) => r.rule) },
      skipped: evaluation.skipped.map((s) => s.rule),
      degraded: degraded ? ['velocity'] : []
    }
    if (random() < 0.3) {
      const fraudish = Math.min(0.9, 0.01 + evaluation.score / 120 + (f.ip.is_tor === true ? 0.3 : 0))
      const x = random()
      record.outcome = {
        label: x < fraudish ? pick(['chargeback', 'fraud', 'review_rejected'] as const) : x < fraudish + 0.05 ? 'refund' : pick(['legit', 'legit', 'review_approved'] as const),
        at: record.at,
        source: 'api'
      }
    }
    batch.push(JSON.stringify(record))
    if (batch.length === 2_000) {
      if (!out.write(batch.join('\n') + '\n')) await new Promise<void>((resolve) => out.once('drain', () => { resolve() }))
      batch = []
    }
  }
  out.end(batch.length === 0 ? '' : batch.join('\n') + '\n')
  await new Promise<void>((resolve) => out.on('finish', () => { resolve() }))
  return statSync(file).size
}

interface Run {
  seconds: number
  /** CPU time (user + system) of the backtest process: what the machine's other load does not inflate */
  cpuSeconds: number
  maxRssMb: number
  summary: string
}

/** `riskgate backtest` in a fresh process (the built CLI when present, else through tsx). */
function backtest (args: string[], cwd: string): Run {
  const builtBin = path.join(root, 'dist', 'src', 'cli', 'bin.js')
  const entry = [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(root, 'src', 'cli', 'bin.ts')]
  const useBuilt = process.argv.includes('--built')
  const command = useBuilt ? [builtBin] : entry
  // GNU time is not everywhere: the child reports its own peak RSS through a tiny wrapper
  const wrapper = path.join(cwd, 'measure.mjs')
  writeFileSync(wrapper, `
import { spawnSync } from 'node:child_process'
const started = process.hrtime.bigint()
const child = spawnSync(process.execPath, ${JSON.stringify(command)}.concat(process.argv.slice(2)), { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', env: process.env, maxBuffer: 64 << 20 })
const seconds = Number(process.hrtime.bigint() - started) / 1e9
process.stdout.write(JSON.stringify({ status: child.status, seconds, stdout: child.stdout }))
`)
  const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, wrapper, ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, RISKGATE_HASH_KEY: HASH_KEY }, maxBuffer: 64 << 20
  })
  const usage = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr)
  const maxRssKb = Number(usage?.[1] ?? NaN)
  const cpuSeconds = Number(usage?.[2] ?? NaN) + Number(usage?.[3] ?? NaN)
  const parsed = JSON.parse(result.stdout) as { status: number, seconds: number, stdout: string }
  if (parsed.status !== 0) throw new Error(`backtest exited ${parsed.status}: ${result.stderr}`)
  const summary = parsed.stdout.split('\n').filter((l) => /^(backtest:|decisions that change|replay check|velocity:| {2}(differ|counters):)/.test(l)).join('\n  ')
  return { seconds: parsed.seconds, cpuSeconds, maxRssMb: maxRssKb / 1024, summary }
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { records: { type: 'string' }, keep: { type: 'boolean' }, built: { type: 'boolean' } } })
  const count = Number(values.records ?? 1_000_000)
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-bench-backtest-'))
  const file = path.join(dir, 'decisions.ndjson')
  try {
    let t0 = performance.now()
    const bytes = await generate(file, count)
    console.log(`generated ${count.toLocaleString('en-US')} records, ${(bytes / 1e6).toFixed(0)} MB of NDJSON, in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

    const candidate = path.join(dir, 'candidate')
    cpSync(path.join(root, 'rules'), candidate, { recursive: true })
    const text = readFileSync(path.join(candidate, 'ruleset.yaml'), 'utf8')
      .replace('thresholds: { review: 50, block: 80 }', 'thresholds: { review: 50, block: 70 }')
      .replace(/ {2}- id: tor_exit\n(.+\n){3}/, '')
      .replace('    mode: shadow\n', '\n')
      .replace(/^( {2}amount_per_card_24h: .*\n)/m, '$1  cards_per_ip_10m:      { distinct: card.fingerprint, by: ip, window: 10m }\n')
      .concat('\n  - id: many_cards_per_ip_10m\n    description: 3 or more cards from this IP within 10 minutes\n    when: velocity.cards_per_ip_10m >= 3\n    score: 40\n')
    if (!text.includes('cards_per_ip_10m:')) throw new Error('the candidate did not get its new counter')
    writeFileSync(path.join(candidate, 'ruleset.yaml'), text)

    t0 = performance.now()
    for (const [label, args] of [
      ['candidate vs recorded decisions', ['backtest', '--rules', candidate, '--input', file, '--html', path.join(dir, 'report.html')]],
      ['candidate vs --current rules/ (2 evaluations a record, the counters of both sets in one store)', ['backtest', '--rules', candidate, '--current', path.join(root, 'rules'), '--input', file]]
    ] as const) {
      const run = backtest([...args], dir)
      console.log(`${label}: ${run.seconds.toFixed(1)} s, ${Math.round(count / run.seconds).toLocaleString('en-US')} records/s, CPU ${run.cpuSeconds.toFixed(1)} s, peak RSS ${run.maxRssMb.toFixed(0)} MB`)
      console.log(`  ${run.summary}`)
    }
    if (values.keep === true) console.log(`kept ${dir}`)
  } finally {
    if (values.keep !== true) rmSync(dir, { recursive: true, force: true })
  }
}

await main()
