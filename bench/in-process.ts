/**
 * In-process figures: microseconds per score() and per evaluate() (the rules alone), each with
 * the default rule set and the generated 200-rule set, over the corpus's charges. score() is the
 * service's own scorer, built by the app from a production configuration without Redis (its
 * in-process stores: velocity, reservations, the decision log through the outbox): normalize, IP
 * data, email and card signals, velocity, rules, response, the decision recorded.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { evaluate } from '../src/engine/evaluate.js'
import type { Features } from '../src/engine/features.js'
import type { CompiledRuleSet } from '../src/engine/ruleset.js'
import { loadRuleSet } from '../src/ruleset/load.js'
import type { ChargeContext } from '../src/schemas/charge.js'
import type { VelocitySignals } from '../src/schemas/signals.js'
import { buildFeatures } from '../src/scoring/build-features.js'
import { normalizeCharge } from '../src/scoring/normalize-charge.js'
import { emailSignals, loadDisposableDomains } from '../src/signals/email.js'
import { createIpIntel } from '../src/signals/ip/ip-intel.js'
import type { IpIntelOptions } from '../src/signals/ip/ip-intel.js'
import type { Corpus } from './corpus.js'
import { generatedRuleSet, generatedRuleSetSource } from './rule-sets.js'
import { benchServiceApp } from './service-app.js'

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

/** the generated rule set written as a rules directory (ruleset.yaml and its lists) */
function writeRuleSetDir (dir: string, count: number): string {
  const source = generatedRuleSetSource(count)
  mkdirSync(path.join(dir, 'lists'), { recursive: true })
  writeFileSync(path.join(dir, 'ruleset.yaml'), source.text)
  for (const list of Object.values(source.lists)) writeFileSync(path.join(dir, 'lists', list.file), `${list.values.join('\n')}\n`)
  return dir
}

/** the service's scorer, as the app wires it from a production configuration without Redis */
async function serviceScorer (rulesDir: string, torExitsFile: string | undefined): Promise<{ score: (charge: ChargeContext) => Promise<unknown>, close: () => Promise<void> }> {
  const app = await benchServiceApp({ RISKGATE_RULES_DIR: rulesDir, ...(torExitsFile !== undefined ? { RISKGATE_TOR_EXITS_FILE: torExitsFile } : {}) })
  return { score: async (charge) => await app.scorer.score(charge), close: async () => { await app.close() } }
}

export async function runInProcess (root: string, corpus: Corpus, data: IpIntelOptions): Promise<Record<'default' | 'rules200', InProcessResult>> {
  const intel = await createIpIntel(data)
  const disposable = loadDisposableDomains()
  const work = mkdtempSync(path.join(tmpdir(), 'riskgate-bench-rules-'))
  const sets = {
    default: { ruleSet: await loadRuleSet(path.join(root, 'rules')), dir: path.join(root, 'rules') },
    rules200: { ruleSet: generatedRuleSet(200), dir: writeRuleSetDir(work, 200) }
  }
  // the corpus's charges as the engine sees them (IP, email and card signals; velocity values)
  const base = corpus.charges.map((charge) => {
    const normalized = normalizeCharge({ ...charge, charge_id: 'bench' })
    const email = normalized.email === undefined ? undefined : emailSignals(normalized.email, disposable)
    return buildFeatures(normalized, intel.lookup(normalized.ip), email)
  })

  const out: Partial<Record<keyof typeof sets, InProcessResult>> = {}
  try {
    for (const [name, { ruleSet, dir }] of Object.entries(sets) as Array<[keyof typeof sets, { ruleSet: CompiledRuleSet, dir: string }]>) {
      const features: Features[] = base.map((f, i) => ({ ...f, velocity: velocityFor(ruleSet, i) }))
      const scorer = await serviceScorer(dir, data.torExitsFile)
      const charges: ChargeContext[] = corpus.charges
      const n = features.length
      const interpreted = interpretedOnly(ruleSet)
      try {
        out[name] = {
          rules: ruleSet.rules.length,
          compiled: ruleSet.rules.filter((r) => r.compiled !== undefined).length,
          interpreted: ruleSet.rules.filter((r) => r.compiled === undefined).length,
          scoreUs: await timeAsync(2_000, 9, async (i) => await scorer.score({ ...(charges[i % n] as ChargeContext), charge_id: `inproc_${name}_${i}` })),
          evaluateUs: timeSync(20_000, 9, (i) => { evaluate(ruleSet, features[i % n] as Features) }),
          evaluateInterpretedUs: timeSync(5_000, 5, (i) => { evaluate(interpreted, features[i % n] as Features) })
        }
      } finally {
        await scorer.close()
      }
    }
  } finally {
    await intel.close()
    rmSync(work, { recursive: true, force: true })
  }
  return out as Record<keyof typeof sets, InProcessResult>
}
