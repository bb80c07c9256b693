import { randomUUID } from 'node:crypto'
import type { Features } from '../engine/features.js'
import type { ChargeContext } from '../schemas/charge.js'
import type { IpSignals, VelocitySignals } from '../schemas/signals.js'
import type { VelocityPlan } from '../velocity/plan.js'
import { DegradedSignal } from '../schemas/decision.js'
import type { Decision, Reason, ScoreResponse } from '../schemas/decision.js'
import { emailSignals } from '../signals/email.js'
import type { DisposableDomains } from '../signals/email.js'
import { buildFeatures } from './build-features.js'
import { normalizeCharge } from './normalize-charge.js'
import { withDeadline } from '../util/deadline.js'
import { throttledWarning } from '../util/throttled-warning.js'

/** What the engine says about one charge (see src/engine/evaluate.ts). */
export interface EvaluationView {
  decision: Decision
  score: number
  reasons: Reason[]
  shadow: { decision: Decision, score: number, reasons: Reason[] }
  skipped: Array<{ rule: string, unknown: string[], error?: string }>
}

export interface RuleSetView {
  version: string
  hash: string
  evaluate: (features: Features) => EvaluationView
  /** which velocity entities and counters this charge touches under this rule set */
  planVelocity: (features: Features) => VelocityPlan
}

export interface DecisionRecordStore {
  putIfAbsent: (chargeId: string, record: ScoreResponse, ttlSeconds: number) => Promise<ScoreResponse>
}

export interface Logger {
  warn: (obj: object, msg: string) => void
}

export interface ScorerDeps {
  /** IP signals of the shopper's address; throws the 400 RiskgateError when it is not an IP address */
  lookupIp: (ip: string) => IpSignals
  /** data source name -> version of what lookupIp uses right now */
  dataVersions: () => Record<string, string>
  disposable: DisposableDomains
  /** the live rule set, read once per request so a reload never mixes two sets in one decision */
  ruleSet: () => RuleSetView
  /** counts this charge in every declared velocity counter and returns their values */
  recordVelocity: (input: { chargeId: string, atMs: number, plan: VelocityPlan }) => Promise<VelocitySignals>
  decisions: DecisionRecordStore
  deadlineMs: number
  decisionTtlSeconds: number
  log: Logger
  now?: () => number
  /** called after the response is decided, never awaited by the response (decision log) */
  onDecision?: (record: ScoreResponse, features: Features) => void
}

export interface Scorer {
  score: (charge: ChargeContext) => Promise<ScoreResponse>
}

/**
 * The request path of DESIGN.md: normalize, enrich (IP and email synchronously, velocity in Redis
 * under the deadline), evaluate the live rules, store the decision for idempotency. A Redis fault
 * degrades the answer (`degraded: ["velocity"]`) instead of failing the checkout.
 */
export function createScorer (deps: ScorerDeps): Scorer {
  const now = deps.now ?? Date.now
  // a Redis outage hits every request: one line per 10 s, not one per request (metrics count them all)
  const velocityUnavailable = throttledWarning(deps.log, 'velocity unavailable: scoring without it')
  const storeUnavailable = throttledWarning(deps.log, 'decision store unavailable: decisions are not kept for retries')

  async function score (input: ChargeContext): Promise<ScoreResponse> {
    const started = performance.now()
    const atMs = now()
    const charge = normalizeCharge(input)
    const ip = deps.lookupIp(charge.ip)
    // read in the same tick as the lookup: a data reload cannot fall between the two
    const data = deps.dataVersions()
    const email = charge.email === undefined ? undefined : emailSignals(charge.email, deps.disposable)
    const features = buildFeatures(charge, ip, email)
    const ruleSet = deps.ruleSet()
    const degraded: ScoreResponse['degraded'] = []

    try {
      features.velocity = await withDeadline(
        deps.recordVelocity({ chargeId: charge.charge_id, atMs, plan: ruleSet.planVelocity(features) }), deps.deadlineMs)
    } catch (err) {
      degraded.push(DegradedSignal.VELOCITY)
      velocityUnavailable({ err: describe(err) })
    }

    const evaluation = ruleSet.evaluate(features)
    const signals: ScoreResponse['signals'] = { ip }
    if (features.email !== undefined) signals.email = features.email
    if (features.card !== undefined) signals.card = features.card
    if (features.velocity !== undefined) signals.velocity = features.velocity

    const response: ScoreResponse = {
      decision_id: randomUUID(),
      charge_id: charge.charge_id,
      decision: evaluation.decision,
      score: evaluation.score,
      reasons: evaluation.reasons,
      shadow: evaluation.shadow,
      skipped: evaluation.skipped,
      signals,
      degraded,
      ruleset: { version: ruleSet.version, hash: ruleSet.hash },
      data,
      replayed: false,
      took_ms: 0
    }

    let stored: ScoreResponse = response
    try {
      stored = await withDeadline(deps.decisions.putIfAbsent(charge.charge_id, response, deps.decisionTtlSeconds), deps.deadlineMs)
    } catch (err) {
      response.degraded.push(DegradedSignal.IDEMPOTENCY)
      storeUnavailable({ err: describe(err) })
    }
    if (stored.decision_id !== response.decision_id) {
      // a retry of a charge already scored: the stored decision, counted once
      return { ...stored, replayed: true, took_ms: round(performance.now() - started) }
    }
    response.took_ms = round(performance.now() - started)
    if (deps.onDecision !== undefined) deps.onDecision(response, features)
    return response
  }

  return { score }
}

function round (ms: number): number {
  return Math.round(ms * 1000) / 1000
}

function describe (err: unknown): { type: string, message: string } {
  return err instanceof Error ? { type: err.name, message: err.message } : { type: typeof err, message: String(err) }
}
