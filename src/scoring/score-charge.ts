import { encodeRecord } from '../decision-log/codec.js'
import type { DigestOf, RecordContext, RecordInput } from '../decision-log/codec.js'
import type { DecisionLogFormat } from '../decision-log/format.js'
import type { DecisionRecord } from '../decision-log/record.js'
import type { AppendEntry } from '../decision-log/store.js'
import { indexEntry } from '../decision-log/index-entry.js'
import type { Features } from '../engine/features.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import type { DecisionKey, DecisionKeys } from '../idempotency/decision-key.js'
import { sameBody } from '../idempotency/fingerprint.js'
import type { BodyFingerprint } from '../idempotency/fingerprint.js'
import type { ChargeReservations, ReserveResult } from '../idempotency/reservations.js'
import type { ChargeContext } from '../schemas/charge.js'
import { DegradedSignal } from '../schemas/decision.js'
import type { Decision, Reason, ScoreResponse } from '../schemas/decision.js'
import type { DeviceSignalsOf } from '../signals/device/device-signals.js'
import { emailSignals } from '../signals/email.js'
import type { CityCoordinates } from '../signals/geo/city-coordinates.js'
import type { IpLookup } from '../signals/ip/ip-intel.js'
import type { DisposableDomains } from '../signals/email.js'
import { throttledWarning } from '../util/throttled-warning.js'
import { createDeadlineQueue, withDeadline } from '../util/deadline.js'
import { randomToken } from '../util/random-token.js'
import type { VelocityPlan } from '../velocity/plan.js'
import { challengerAnswer, runChallenger } from '../rollout/challenger-view.js'
import type { ChallengerView } from '../rollout/challenger-view.js'
import { buildFeatures } from './build-features.js'
import { normalizeCharge } from './normalize-charge.js'
import { responseSignals } from './response-signals.js'
import { replayResponse } from './replay.js'

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
  /** the rule's description, score and action (undefined when the set has no such rule) */
  rule: (id: string) => { description: string, score: number | null, action: Decision | null } | undefined
  /** what the records decided with this rule set and these data versions share */
  context: (data: Readonly<Record<string, string>>) => RecordContext
}

export interface Logger {
  warn: (obj: object, msg: string) => void
}

/** Where decisions go and come from: the log (through the outbox) and this process's waiting records. */
export interface DecisionSink {
  record: (entry: AppendEntry) => boolean
  /** a record of this charge still in the outbox */
  pending: (field: string) => AppendEntry | undefined
  /** the record of a pending entry, decoded (identifiers as digests) */
  decode: (entry: AppendEntry) => DecisionRecord
}

export interface ScorerDeps {
  /**
   * IP signals of the shopper's address, and its location when the data has one; throws the 400
   * RiskgateError when it is not an IP address
   */
  lookupIp: (ip: string) => IpLookup
  /** data source name -> version of what lookupIp uses right now (one shared object per data load) */
  dataVersions: () => Readonly<Record<string, string>>
  disposable: DisposableDomains
  /** device signals of the user_agent and accept_language */
  device: DeviceSignalsOf
  /** the cities table when it is loaded (asked only for a located IP and a billing city); absent: no distance */
  cities?: () => CityCoordinates | undefined
  /** the live rule set, read once per request so a reload never mixes two sets in one decision */
  ruleSet: () => RuleSetView
  /**
   * the challenger staged beside the live set (src/rollout/), read in the same turn as `ruleSet`;
   * undefined (or absent) when there is none: the request path is then exactly the live set's
   */
  challenger?: () => ChallengerView | undefined
  /** a rule set this process loaded, by hash (a retry is replayed with the set that decided) */
  ruleSetByHash: (hash: string) => RuleSetView | undefined
  keys: DecisionKeys
  fingerprint: BodyFingerprint
  /** what the decision log writes (src/decision-log/format.ts); the current format when absent */
  format?: DecisionLogFormat
  /** keyed digest of an identifier: computed once per identifier, shared by velocity and the record */
  digestOf: DigestOf
  reservations: ChargeReservations
  decisions: DecisionSink
  /** told how long each store call on the answer's path took (metrics) */
  observeStoreCall?: (seconds: number, ok: boolean) => void
  /** how long the whole enrichment (reservation and velocity) may take before deciding without it */
  deadlineMs: number
  /** how long a reservation holds without its record (DEFAULT_PENDING_MS) */
  pendingMs: number
  log: Logger
  now?: () => number
}

export interface Scorer {
  score: (charge: ChargeContext) => Promise<ScoreResponse>
}

interface Attempt {
  fingerprint: string
  /** retries that arrived while it decides (none, nearly always: no promise is made for them) */
  waiters: Array<{ resolve: (answer: ScoreResponse) => void, reject: (err: unknown) => void }> | undefined
}

/** how often a retry looks again for the decision of an attempt of another instance */
const POLL_MS = [2, 4, 8, 16, 32]

function conflict (): RiskgateError {
  return new RiskgateError(409, ErrorCode.IDEMPOTENCY_CONFLICT,
    'this charge_id was scored with a different request body: nothing was scored or counted; use a new charge_id for a new charge attempt')
}

async function delay (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * The request path of DESIGN.md: normalize, enrich (IP and email synchronously; the charge
 * reserved by its charge id and counted in velocity, in the store, under the deadline), evaluate
 * the live rules, answer, then record the decision through the outbox.
 *
 * Idempotency: one charge id, one decision id (derived from it), one recorded decision. A retry
 * with the same body gets the recorded decision (`replayed: true`), waiting for it while another
 * attempt is deciding; with another body, 409 idempotency_conflict. Nothing is counted twice.
 * A store fault degrades the answer (`degraded: ["velocity", "idempotency"]`) instead of failing
 * the checkout.
 */
export function createScorer (deps: ScorerDeps): Scorer {
  const now = deps.now ?? Date.now
  const velocityUnavailable = throttledWarning(deps.log, 'velocity unavailable: scoring without it')
  const storeUnavailable = throttledWarning(deps.log, 'decision store unavailable: deciding without idempotency')
  // attempts of this process still deciding, by the decision's field
  const deciding = new Map<string, Attempt>()
  // the store call on the answer's path: every charge's under one deadline, one timer for all
  const withinDeadline = createDeadlineQueue(deps.deadlineMs)

  /**
   * The request's identifier digests: velocity's keys and values and the record ask for the same
   * few identifiers several times; the process-wide cache answers the first ask of each
   */
  function requestDigests (): { identify: (path: string, value: string | number | boolean) => string, digestOf: DigestOf } {
    const values: string[] = []
    const digests: string[] = []
    const digestOf = (value: string): string => {
      for (let i = 0; i < values.length; i++) if (values[i] === value) return digests[i] as string
      const digest = deps.digestOf(value)
      values.push(value)
      digests.push(digest)
      return digest
    }
    return { identify: (_path, value) => digestOf(String(value)), digestOf }
  }

  /**
   * What a retry gets from this process when it knows the charge: the answer of an attempt still
   * deciding (awaited), or a decision whose record waits in the outbox. Synchronous up to the
   * await, so two attempts arriving in one turn never both decide.
   */
  function local (key: DecisionKey, fingerprint: string, retry: Features, live: RuleSetView): Promise<ScoreResponse> | Omit<ScoreResponse, 'took_ms'> | undefined {
    const attempt = deciding.get(key.field)
    if (attempt !== undefined) {
      if (!sameBody(attempt.fingerprint, fingerprint)) throw conflict()
      return new Promise((resolve, reject) => { (attempt.waiters ??= []).push({ resolve, reject }) })
    }
    const waiting = deps.decisions.pending(key.field)
    if (waiting !== undefined) {
      if (!sameBody(waiting.fingerprint, fingerprint)) throw conflict()
      return replay(deps.decisions.decode(waiting), retry, live)
    }
    return undefined
  }

  function replay (record: DecisionRecord, retry: Features, live: RuleSetView): Omit<ScoreResponse, 'took_ms'> {
    return replayResponse(record, retry, deps.ruleSetByHash(record.ruleset.hash), live, deps.ruleSetByHash)
  }

  async function score (input: ChargeContext): Promise<ScoreResponse> {
    const started = performance.now()
    const fingerprint = deps.fingerprint(input)
    const key = deps.keys.ofCharge(input.charge_id)
    const charge = normalizeCharge(input)
    const { signals: ip, location } = deps.lookupIp(charge.ip)
    // read in the same tick as the lookup: a data reload cannot fall between the two
    const data = deps.dataVersions()
    const email = charge.email === undefined ? undefined : emailSignals(charge.email, deps.disposable)
    const features = buildFeatures(charge, ip, email, {
      device: deps.device(charge.user_agent, charge.accept_language),
      ipLocation: location,
      cities: location === undefined || charge.billing?.city === undefined ? undefined : deps.cities?.()
    })
    const ruleSet = deps.ruleSet()
    const challenger = deps.challenger?.()
    const took = (answer: Omit<ScoreResponse, 'took_ms'>): ScoreResponse =>
      ({ ...answer, took_ms: Math.round((performance.now() - started) * 1000) / 1000 })

    const known = local(key, fingerprint, features, ruleSet)
    if (known instanceof Promise) return took({ ...await known, replayed: true })
    if (known !== undefined) return took(known)

    const attempt: Attempt = { fingerprint, waiters: undefined }
    deciding.set(key.field, attempt)
    try {
      const response = await decide(key, fingerprint, features, ruleSet, challenger, data, charge.charge_id, took)
      if (attempt.waiters !== undefined) for (const waiter of attempt.waiters) waiter.resolve(response)
      return response
    } catch (err) {
      if (attempt.waiters !== undefined) for (const waiter of attempt.waiters) waiter.reject(err)
      throw err
    } finally {
      deciding.delete(key.field)
    }
  }

  async function decide (key: DecisionKey, fingerprint: string, features: Features, ruleSet: RuleSetView, challenger: ChallengerView | undefined,
    data: Readonly<Record<string, string>>, chargeId: string, took: (answer: Omit<ScoreResponse, 'took_ms'>) => ScoreResponse): Promise<ScoreResponse> {
    const atMs = now()
    const nonce = randomToken()
    const { identify, digestOf } = requestDigests()
    const deadline = performance.now() + deps.deadlineMs
    const degraded: ScoreResponse['degraded'] = []
    let recorded = true
    let reservation: ReserveResult | undefined
    const storeStarted = performance.now()
    try {
      reservation = await withinDeadline(deps.reservations.reserveAndCount({
        key, fingerprint, nonce, pendingMs: deps.pendingMs, atMs, plan: (challenger ?? ruleSet).planVelocity(features), identify
      }))
      deps.observeStoreCall?.((performance.now() - storeStarted) / 1000, true)
    } catch (err) {
      deps.observeStoreCall?.((performance.now() - storeStarted) / 1000, false)
      // unknown whether the store reserved and counted: decided without both, recorded if no other attempt is
      degraded.push(DegradedSignal.VELOCITY, DegradedSignal.IDEMPOTENCY)
      storeUnavailable({ err: describe(err) })
    }

    if (reservation !== undefined && reservation.status !== 'reserved') {
      if (!sameBody(reservation.fingerprint, fingerprint)) throw conflict()
      if (reservation.status === 'recorded') return took(replay(reservation.record, features, ruleSet))
      // another instance is deciding this charge: wait for its decision within the deadline
      for (let i = 0; performance.now() < deadline; i++) {
        await delay(Math.min(POLL_MS[Math.min(i, POLL_MS.length - 1)] as number, Math.max(0, deadline - performance.now())))
        let found
        try {
          found = await withDeadline(deps.reservations.lookup(key), Math.max(1, deadline - performance.now()))
        } catch {
          break
        }
        if (found.status === 'recorded') {
          if (!sameBody(found.fingerprint, fingerprint)) throw conflict()
          return took(replay(found.record, features, ruleSet))
        }
        if (found.status === 'none') break
      }
      // still undecided: an answer of our own, decided without velocity (the other attempt counted
      // the charge) and not recorded (the other attempt's decision will be)
      degraded.push(DegradedSignal.VELOCITY, DegradedSignal.IDEMPOTENCY)
      recorded = false
    } else if (reservation !== undefined) {
      if (reservation.velocity instanceof Error) {
        degraded.push(DegradedSignal.VELOCITY)
        velocityUnavailable({ err: describe(reservation.velocity) })
      } else {
        features.velocity = reservation.velocity
      }
    }

    const live = ruleSet.evaluate(features)
    // with a challenger: its evaluation too, and which of the two decides this charge
    const run = challenger === undefined ? undefined : runChallenger(challenger, ruleSet, live, features, digestOf)
    const evaluation = run === undefined ? live : run.decided
    const signals = responseSignals(features)
    const response = took({
      decision_id: key.decisionId,
      charge_id: chargeId,
      decision: evaluation.decision,
      score: evaluation.score,
      reasons: evaluation.reasons,
      shadow: evaluation.shadow,
      skipped: evaluation.skipped,
      signals,
      degraded,
      ruleset: run === undefined ? { version: ruleSet.version, hash: ruleSet.hash } : { version: run.decider.version, hash: run.decider.hash, role: run.role },
      data,
      replayed: false
    })
    if (challenger !== undefined && run !== undefined) response.challenger = challengerAnswer(challenger, run)
    if (recorded) {
      const context = challenger === undefined || run === undefined ? ruleSet.context(data) : challenger.context(run.role, data)
      const fired = evaluation.reasons.map((r) => r.rule)
      const input: RecordInput = {
        chargeId,
        atMs,
        features,
        decision: evaluation.decision,
        score: evaluation.score,
        fired,
        shadow: { decision: evaluation.shadow.decision, score: evaluation.shadow.score, fired: evaluation.shadow.reasons.map((r) => r.rule) },
        skipped: evaluation.skipped.map((s) => s.rule),
        degraded
      }
      if (run !== undefined) input.other = { decision: run.other.decision, score: run.other.score, fired: run.other.reasons.map((r) => r.rule) }
      const encoded = encodeRecord(input, context, digestOf, deps.format)
      const index = indexEntry(features, evaluation.decision, fired, degraded.length > 0, digestOf)
      deps.decisions.record({ key, fingerprint, nonce, atMs, encoded, context, index })
    }
    return response
  }

  return { score }
}

function describe (err: unknown): { type: string, message: string } {
  return err instanceof Error ? { type: err.name, message: err.message } : { type: typeof err, message: String(err) }
}
