import type { FastifyInstance } from 'fastify'
import { charge, scoreAuth } from './app.js'

const headers = { 'content-type': 'application/json', ...scoreAuth }

/** One answer of POST /v1/score, as the merchant saw it. */
export interface Answer {
  /** the load phase when the request was sent (see ScoreLoad.phase) */
  phase: string
  status: number
  chargeId: string
  ip: string
  /** index of the instance that answered, in the list `instances()` gave */
  instance: number
  /** the merchant's second attempt of the charge (a retry with the identical body) */
  retry: boolean
  decisionId?: string
  decision?: string
  score?: number
  degraded: string[]
  replayed: boolean
  /** the answer carries the charge's velocity (decided with the counters, not degraded for velocity) */
  velocityKnown: boolean
  /** the error code of a non-200 answer */
  error?: string
}

export interface ScoreLoadOptions {
  /** the instances taking charges now (read for every charge: an instance may join or leave) */
  instances: () => readonly FastifyInstance[]
  /** every charge comes from one of these addresses */
  ips: readonly string[]
  /** charge ids start with it (distinct per test) */
  prefix: string
  /** concurrent merchant loops, each scoring one charge at a time (8) */
  merchants?: number
  /** share of charges the merchant retries with the identical body: half at once, half after the first answer (0.3) */
  retryShare?: number
  /** seed of the workload's choices (IPs, retries, instances), so a run is the same workload every time */
  seed?: number
}

export interface ScoreLoad {
  /** every answer so far, in the order they arrived */
  readonly answers: readonly Answer[]
  /**
   * Starts a phase: the next `budget` charges (first attempts) are sent under its name, then the
   * merchants wait for the next phase. Charges of the previous phase still in flight finish.
   */
  phase: (name: string, budget: number) => void
  /** answers to requests sent in `phase` that pass `filter` */
  count: (phase: string, filter?: (answer: Answer) => boolean) => number
  /**
   * Resolves once `condition` holds, checked at every answer (and at once). Rejects when the load
   * stops first, or after `boundMs` (a hang detector for a loaded machine, not a measurement).
   */
  until: (condition: () => boolean, what: string, boundMs?: number) => Promise<void>
  /** charges sent (first attempts) and retries sent */
  sent: () => { charges: number, retries: number }
  /** stops sending and resolves once every request in flight is answered */
  stop: () => Promise<void>
}

/** mulberry32: a small seeded generator, so the workload's choices repeat from run to run */
function seeded (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const DEFAULT_BOUND_MS = 45_000

/**
 * Merchants scoring charges through `app.inject` while a test injects faults: each merchant loop
 * scores distinct charges one after another, from a fixed set of IPs, and retries a share of them
 * with the identical body (at once, so both attempts race, or after the first answer), on any of
 * the live instances. Every answer is kept. The load runs in phases with a budget of charges each,
 * so that a fault phase that answers fast (Redis down) does not flood the log.
 */
export function startScoreLoad (options: ScoreLoadOptions): ScoreLoad {
  const merchants = options.merchants ?? 8
  const retryShare = options.retryShare ?? 0.3
  const random = seeded(options.seed ?? 1)
  const answers: Answer[] = []
  const inFlight = new Map<string, number>()
  let phaseName = 'start'
  let budget = 0
  let stopped = false
  let charges = 0
  let retries = 0
  let wakeMerchants: Array<() => void> = []
  let waiters: Array<() => void> = []

  const notify = (): void => {
    const current = waiters
    waiters = []
    for (const check of current) check()
  }

  async function post (app: FastifyInstance, body: Record<string, unknown>, instance: number, retry: boolean, phase: string): Promise<void> {
    inFlight.set(phase, (inFlight.get(phase) ?? 0) + 1)
    const res = await app.inject({ method: 'POST', url: '/v1/score', headers, payload: JSON.stringify(body) })
    const json = res.json()
    const ok = res.statusCode === 200
    answers.push({
      phase,
      status: res.statusCode,
      chargeId: body.charge_id as string,
      ip: body.ip as string,
      instance,
      retry,
      ...(ok ? { decisionId: json.decision_id, decision: json.decision, score: json.score } : { error: json.error?.code ?? 'unknown' }),
      degraded: ok ? json.degraded : [],
      replayed: ok ? json.replayed : false,
      velocityKnown: ok && !(json.degraded as string[]).includes('velocity') && json.signals.velocity !== undefined
    })
    inFlight.set(phase, (inFlight.get(phase) ?? 1) - 1)
    notify()
  }

  async function merchant (m: number): Promise<void> {
    for (let n = 1; ; n++) {
      if (stopped) return
      if (budget <= 0) {
        await new Promise<void>((resolve) => wakeMerchants.push(resolve))
        n--
        continue
      }
      budget--
      charges++
      const phase = phaseName
      const ip = options.ips[Math.floor(random() * options.ips.length)] as string
      const body = charge({ charge_id: `${options.prefix}_${m}_${n}`, ip, amount: 1000 + Math.floor(random() * 100_000) })
      const apps = options.instances()
      const first = Math.floor(random() * apps.length)
      const second = Math.floor(random() * apps.length)
      const roll = random()
      const firstApp = apps[first] as FastifyInstance
      const secondApp = apps[second] as FastifyInstance
      if (roll < retryShare / 2) {
        retries++
        await Promise.all([post(firstApp, body, first, false, phase), post(secondApp, body, second, true, phase)])
      } else if (roll < retryShare) {
        retries++
        await post(firstApp, body, first, false, phase)
        await post(secondApp, body, second, true, phase)
      } else {
        await post(firstApp, body, first, false, phase)
      }
    }
  }

  const running = Promise.all(Array.from({ length: merchants }, async (_, m) => await merchant(m)))
  running.catch(() => {})

  const count = (phase: string, filter: (answer: Answer) => boolean = () => true): number => {
    let found = 0
    for (const answer of answers) if (answer.phase === phase && filter(answer)) found++
    return found
  }

  const until = async (condition: () => boolean, what: string, boundMs = DEFAULT_BOUND_MS): Promise<void> => {
    if (condition()) return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: not reached after ${boundMs} ms (${answers.length} answers)`)), boundMs)
      const check = (): void => {
        if (condition()) {
          clearTimeout(timer)
          resolve()
        } else if (stopped && [...inFlight.values()].every((n) => n === 0)) {
          clearTimeout(timer)
          reject(new Error(`${what}: the load stopped first`))
        } else {
          waiters.push(check)
        }
      }
      waiters.push(check)
    })
  }

  return {
    answers,
    phase (name, phaseBudget) {
      phaseName = name
      budget = phaseBudget
      const wake = wakeMerchants
      wakeMerchants = []
      for (const resolve of wake) resolve()
    },
    count,
    until,
    sent: () => ({ charges, retries }),
    async stop () {
      stopped = true
      budget = 0
      const wake = wakeMerchants
      wakeMerchants = []
      for (const resolve of wake) resolve()
      await running
      notify()
    }
  }
}
