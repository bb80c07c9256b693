/**
 * `node --import tsx bench/rollout-record.ts [--charges N]`: what a challenger adds to a decision
 * record at rest. N charges of the bench corpus (bench/corpus.ts) are scored by the service's own
 * scorer (the default rule set, the bundled data, in-process stores) three times: alone, with a
 * challenger in shadow, and with the challenger enforced for 50% of customers. The challenger is
 * the default rule set with one more velocity counter, one more rule reading it and one score
 * changed. Prints the mean encoded record length of each run (what the decision log stores), and
 * the share of charges on which the two sets agreed. `--ndjson <file>` also writes the records of
 * the enforced run as an export does (the input of `riskgate backtest challenger`).
 */
import { randomBytes } from 'node:crypto'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, cpSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { loadDataConfig } from '../src/config/load-config.js'
import { decodeRecord } from '../src/decision-log/codec.js'
import { createMemoryDecisionLog } from '../src/decision-log/memory-store.js'
import { createSnapshotHash } from '../src/decision-log/snapshot.js'
import { DEFAULT_PENDING_MS } from '../src/decision-log/store.js'
import type { CompiledRuleSet } from '../src/engine/ruleset.js'
import { createDecisionKeys } from '../src/idempotency/decision-key.js'
import { createBodyFingerprint, shapeOf } from '../src/idempotency/fingerprint.js'
import { memoryReservations } from '../src/idempotency/reservations.js'
import { challengerView } from '../src/rollout/challenger-view.js'
import type { Rollout } from '../src/rollout/rollout.js'
import { loadRuleSet } from '../src/ruleset/load.js'
import { ChargeContextSchema } from '../src/schemas/charge.js'
import { sharedDataVersions } from '../src/scoring/data-versions.js'
import { ruleSetView } from '../src/scoring/rule-set-view.js'
import { createScorer } from '../src/scoring/score-charge.js'
import { loadDisposableDomains } from '../src/signals/email.js'
import { createIpIntel } from '../src/signals/ip/ip-intel.js'
import { createMemoryVelocityStore } from '../src/velocity/memory-store.js'
import { buildCorpus } from './corpus.js'
import { createDeviceSignals } from '../src/signals/device/device-signals.js'

const root = path.resolve(import.meta.dirname, '..')
const { values } = parseArgs({ options: { charges: { type: 'string', default: '3000' }, ndjson: { type: 'string' } } })
const count = Number(values.charges)

const corpus = buildCorpus({ root, bodies: count })
const intel = await createIpIntel(loadDataConfig({}, root))
const live = await loadRuleSet(path.join(root, 'rules'))

// the challenger: the default rules with a counter and a rule more, and one score changed
const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-rollout-record-'))
cpSync(path.join(root, 'rules'), dir, { recursive: true })
const file = path.join(dir, 'ruleset.yaml')
writeFileSync(file, readFileSync(file, 'utf8')
  .replace(/^version: .*$/m, 'version: "challenger.1"')
  .replace(/^velocity:\n/m, 'velocity:\n  charges_per_customer_24h: { count: charges, by: customer, window: 24h }\n')
  .replace(/^rules:\n/m, 'rules:\n  - id: customer_velocity\n    description: 5 or more charges of one customer in a day\n    when: velocity.charges_per_customer_24h >= 5\n    score: 20\n')
  .replace('score: 15', 'score: 25'))
const challenger = await loadRuleSet(dir)
rmSync(dir, { recursive: true, force: true })

async function run (rollout: Rollout | undefined, ndjson?: string): Promise<{ bytes: number, agreed: number, compared: number }> {
  const hashKey = randomBytes(32).toString('base64url')
  const log = createMemoryDecisionLog({ keys: createDecisionKeys(hashKey, 1) })
  const view = ruleSetView(live)
  const staged = rollout === undefined ? undefined : challengerView(live, { ruleSet: challenger as CompiledRuleSet, rulesDir: dir, rollout, stagedAt: new Date(), stagedBy: 'bench' })
  let bytes = 0
  let agreed = 0
  let compared = 0
  const scorer = createScorer({
    lookupIp: (ip) => intel.lookupWithLocation(ip),
    dataVersions: () => sharedDataVersions(intel.sources),
    disposable: loadDisposableDomains(),
    device: createDeviceSignals(),
    ruleSet: () => view,
    challenger: () => staged,
    ruleSetByHash: () => undefined,
    keys: log.keys,
    fingerprint: createBodyFingerprint(hashKey, shapeOf(ChargeContextSchema)),
    digestOf: createSnapshotHash(hashKey),
    reservations: memoryReservations(log, createMemoryVelocityStore()),
    decisions: {
      record: (entry) => {
        bytes += Buffer.byteLength(entry.encoded)
        const record = decodeRecord(entry.encoded, entry.key.decisionId, entry.context, entry.index.identifiers)
        if (ndjson !== undefined) appendFileSync(ndjson, JSON.stringify(record) + '\n')
        if (record.rollout !== undefined) {
          compared++
          if (record.rollout.live.decision === record.rollout.challenger.decision) agreed++
        }
        return true
      },
      pending: () => undefined,
      decode: (entry) => decodeRecord(entry.encoded, entry.key.decisionId, entry.context, entry.index.identifiers)
    },
    deadlineMs: 5_000,
    pendingMs: DEFAULT_PENDING_MS,
    log: { warn: () => {} }
  })
  for (let i = 0; i < count; i++) await scorer.score({ ...corpus.charges[i % corpus.charges.length], charge_id: `ch_rollout_${i}` } as Parameters<typeof scorer.score>[0])
  return { bytes: bytes / count, agreed, compared }
}

const alone = await run(undefined)
const shadow = await run({ mode: 'shadow' })
if (values.ndjson !== undefined) writeFileSync(values.ndjson, '')
const enforce = await run({ mode: 'enforce', percent: 50, by: 'customer.id' }, values.ndjson)
const line = (name: string, r: { bytes: number, agreed: number, compared: number }): string =>
  `${name.padEnd(26)} ${r.bytes.toFixed(1).padStart(7)} bytes a record (+${(r.bytes - alone.bytes).toFixed(1)})` +
  (r.compared === 0 ? '' : `, the sets agreed on ${(100 * r.agreed / r.compared).toFixed(1)}% of ${r.compared}`)
process.stdout.write(`${count} charges of the bench corpus, default rule set, bundled data\n`)
process.stdout.write(`${line('no challenger', alone)}\n${line('challenger in shadow', shadow)}\n${line('challenger enforced at 50%', enforce)}\n`)
await intel.close()
