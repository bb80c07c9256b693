/**
 * In-process figures: microseconds per score() (normalize, IP data, email and card signals,
 * velocity planning, rules, response assembly, the in-process decision store; the velocity store
 * itself replaced by fixed values) and per evaluate() (the rules alone), each with the default
 * rule set and the generated 200-rule set, over the corpus's charges.
 */
import path from 'node:path'
import { evaluate } from '../src/engine/evaluate.js'
import type { Features } from '../src/engine/features.js'
import type { CompiledRuleSet } from '../src/engine/ruleset.js'
import { createMemoryDecisionStore } from '../src/idempotency/memory-decision-store.js'
import { loadRuleSet } from '../src/ruleset/load.js'
import type { ChargeContext } from '../src/schemas/charge.js'
import type { VelocitySignals } from '../src/schemas/signals.js'
import { buildFeatures } from '../src/scoring/build-features.js'
import { dataVersions } from '../src/scoring/data-versions.js'
import { normalizeCharge } from '../src/scoring/normalize-charge.js'
import { createScorer } from '../src/scoring/score-charge.js'
import type { RuleSetView } from '../src/scoring/score-charge.js'
import { emailSignals, loadDisposableDomains } from '../src/signals/email.js'
import { createIpIntel } from '../src/signals/ip/ip-intel.js'
import type { IpIntelOptions } from '../src/signals/ip/ip-intel.js'
import { createVelocityPlanner } from '../src/velocity/plan.js'
import type { Corpus } from './corpus.js'
import { generatedRuleSet } from './rule-sets.js'

export interface InProcessResult {
  rules: number
  /** compiled to JavaScript / left to the interpreter */
  compiled: number
  interpreted: number
  scoreUs: number
  evaluateUs: number
  /** evaluate() with every condition interpreted by cel-js, for comparison */
  evaluateInterpretedUs: number
}

/** median of `rounds` timings of `batch` calls, in microseconds per call */
function timeSync (batch: number, rounds: number, fn: (i: number) => void): number {
  for (let i = 0; i < batch; i++) fn(i)
  const runs: number[] = []
  let n = batch
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < batch; i++) fn(n++)
    runs.push(Number(process.hrtime.bigint() - start) / 1000 / batch)
  }
  return runs.sort((a, b) => a - b)[Math.floor(rounds / 2)] as number
}

async function timeAsync (batch: number, rounds: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < batch; i++) await fn(i)
  const runs: number[] = []
  let n = batch
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < batch; i++) await fn(n++)
    runs.push(Number(process.hrtime.bigint() - start) / 1000 / batch)
  }
  return runs.sort((a, b) => a - b)[Math.floor(rounds / 2)] as number
}

/** plausible velocity values for every counter of a rule set, varied by charge */
function velocityFor (ruleSet: CompiledRuleSet, i: number): VelocitySignals {
  const out: VelocitySignals = {}
  ruleSet.velocity.forEach((spec, k) => { out[spec.name] = spec.kind === 'sum' ? 10_000 * ((i + k) % 400) : 1 + ((i * 7 + k) % 9) })
  return out
}

function interpretedOnly (ruleSet: CompiledRuleSet): CompiledRuleSet {
  return { ...ruleSet, rules: ruleSet.rules.map(({ compiled: _compiled, ...rule }) => rule) }
}

export async function runInProcess (root: string, corpus: Corpus, data: IpIntelOptions): Promise<Record<'default' | 'rules200', InProcessResult>> {
  const intel = await createIpIntel(data)
  const disposable = loadDisposableDomains()
  const versions = dataVersions(intel.sources)
  const sets = {
    default: await loadRuleSet(path.join(root, 'rules')),
    rules200: generatedRuleSet(200)
  }
  // the corpus's charges as the engine sees them (IP, email and card signals; velocity values)
  const base = corpus.charges.map((charge) => {
    const normalized = normalizeCharge({ ...charge, charge_id: 'bench' })
    const email = normalized.email === undefined ? undefined : emailSignals(normalized.email, disposable)
    return buildFeatures(normalized, intel.lookup(normalized.ip), email)
  })

  const out: Partial<Record<keyof typeof sets, InProcessResult>> = {}
  for (const [name, ruleSet] of Object.entries(sets) as Array<[keyof typeof sets, CompiledRuleSet]>) {
    const features: Features[] = base.map((f, i) => ({ ...f, velocity: velocityFor(ruleSet, i) }))
    const planner = createVelocityPlanner(ruleSet.velocity)
    const view: RuleSetView = { version: ruleSet.version, hash: ruleSet.hash, evaluate: (f) => evaluate(ruleSet, f), planVelocity: planner }
    let calls = 0
    const scorer = createScorer({
      lookupIp: (ip) => intel.lookup(ip),
      dataVersions: () => versions,
      disposable,
      ruleSet: () => view,
      // velocity excluded: the plan is made, the store's answer is fixed
      recordVelocity: async () => velocityFor(ruleSet, calls++),
      decisions: createMemoryDecisionStore({ maxEntries: 10_000 }),
      deadlineMs: 1000,
      decisionTtlSeconds: 3600,
      log: { warn: () => {} }
    })
    const charges: ChargeContext[] = corpus.charges
    const n = features.length
    const interpreted = interpretedOnly(ruleSet)
    out[name] = {
      rules: ruleSet.rules.length,
      compiled: ruleSet.rules.filter((r) => r.compiled !== undefined).length,
      interpreted: ruleSet.rules.filter((r) => r.compiled === undefined).length,
      scoreUs: await timeAsync(5_000, 9, (i) => scorer.score({ ...(charges[i % n] as ChargeContext), charge_id: `inproc_${name}_${i}` })),
      evaluateUs: timeSync(20_000, 9, (i) => { evaluate(ruleSet, features[i % n] as Features) }),
      evaluateInterpretedUs: timeSync(5_000, 5, (i) => { evaluate(interpreted, features[i % n] as Features) })
    }
  }
  await intel.close()
  return out as Record<keyof typeof sets, InProcessResult>
}
