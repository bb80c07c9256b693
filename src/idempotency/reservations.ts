import { Cluster } from 'ioredis'
import type { DecisionKey } from './decision-key.js'
import type { MemoryDecisionLog } from '../decision-log/memory-store.js'
import { reservationValue } from '../decision-log/redis-scripts.js'
import type { LookupReply, RedisDecisionLog } from '../decision-log/redis-store.js'
import type { DecisionLogStore, Lookup } from '../decision-log/store.js'
import type { RedisClient } from '../redis/client.js'
import { createLuaScript } from '../redis/lua-script.js'
import type { VelocitySignals } from '../schemas/signals.js'
import { assignAllResults, entityOps } from '../velocity/entity-op.js'
import type { MemoryVelocityStore } from '../velocity/memory-store.js'
import type { VelocityPlan } from '../velocity/plan.js'
import { pushEntityCalls } from '../velocity/record-script.js'
import { DEFAULT_VELOCITY_KEY_PREFIX } from '../velocity/redis-keys.js'
import type { Identify, VelocityStore } from '../velocity/store.js'
import { SCORE_SCRIPT } from './score-script.js'

const scoreScript = createLuaScript(SCORE_SCRIPT)

export interface ReserveInput {
  key: DecisionKey
  fingerprint: string
  /** this attempt's own id: its record lands only while it holds the reservation */
  nonce: string
  pendingMs: number
  atMs: number
  plan: VelocityPlan
  identify: Identify
}

export type ReserveResult =
  /** this attempt decides the charge; `velocity` is its counters, or the error that kept them unknown */
  | { status: 'reserved', velocity: VelocitySignals | Error }
  | Exclude<Lookup, { status: 'none' }>

/**
 * The first step of a decision: reserve the charge id (or learn that it is decided or being
 * decided already) and, only when reserved, count the charge in velocity, so that a charge is
 * counted once whatever the retries. The in-process store does it synchronously; a standalone
 * Redis in one script call (one round trip); a Redis Cluster in two steps (the reservation in the
 * decision's partition slot, then the velocity calls, one per entity slot, concurrently).
 */
export interface ChargeReservations {
  reserveAndCount: (input: ReserveInput) => Promise<ReserveResult>
  /** what the log knows of the charge now (a retry waiting for another attempt polls it) */
  lookup: (key: DecisionKey) => Promise<Lookup>
}

/** In process: both steps synchronous, so reservation and counting are atomic. */
export function memoryReservations (log: MemoryDecisionLog, velocity: MemoryVelocityStore): ChargeReservations {
  return {
    async reserveAndCount (input) {
      const found = log.reserveSync(input.key, input.fingerprint, input.nonce, input.pendingMs)
      if (found.status !== 'reserved') return found
      return { status: 'reserved', velocity: velocity.recordSync({ atMs: input.atMs, plan: input.plan, identify: input.identify }) }
    },
    lookup: async (key) => await log.lookup(key)
  }
}

/** Two steps, for a Redis Cluster: the reservation first; velocity only for a reserved charge. */
export function twoStepReservations (log: DecisionLogStore, velocity: VelocityStore): ChargeReservations {
  return {
    async reserveAndCount (input) {
      const found = await log.reserve(input.key, input.fingerprint, input.nonce, input.pendingMs)
      if (found.status !== 'reserved') return found
      try {
        return { status: 'reserved', velocity: await velocity.record({ atMs: input.atMs, plan: input.plan, identify: input.identify }) }
      } catch (err) {
        return { status: 'reserved', velocity: err instanceof Error ? err : new Error(String(err)) }
      }
    },
    lookup: async (key) => await log.lookup(key)
  }
}

type ScoreReply = [number, ...unknown[]]

export interface RedisReservationOptions {
  redis: RedisClient
  log: RedisDecisionLog
  velocity: VelocityStore
  velocityKeyPrefix?: string
  maxDistinctPerSeries?: number
}

/**
 * A standalone Redis: reservation and velocity in one script call (SCORE_SCRIPT). On a Cluster,
 * where the keys of one call must share a slot, the two steps of twoStepReservations.
 */
export function redisReservations (options: RedisReservationOptions): ChargeReservations {
  const { redis, log } = options
  if (redis instanceof Cluster) return twoStepReservations(log, options.velocity)
  const prefix = options.velocityKeyPrefix ?? DEFAULT_VELOCITY_KEY_PREFIX
  const names = log.redisKeys
  const callOptions = options.maxDistinctPerSeries === undefined ? {} : { maxDistinctPerSeries: options.maxDistinctPerSeries }

  return {
    async reserveAndCount (input) {
      const { key } = input
      const ops = entityOps(input.plan, input.atMs, input.identify)
      const keys = [names.index(key.partition), names.stream(key.partition), names.outcomes(key.partition)]
      const args = [key.field, reservationValue(input.fingerprint, input.nonce, input.atMs + input.pendingMs), String(input.atMs)]
      pushEntityCalls(prefix, ops, callOptions, keys, args)
      const reply = await scoreScript.run(redis, keys, args) as ScoreReply
      // this attempt's own reservation: the call ran before and its reply was lost with the
      // connection, then the client sent it again. The charge is reserved for this attempt and was
      // counted once (by the first run); its counters are unknown
      if (reply[0] === 2 && reply[2] === input.nonce) return { status: 'reserved', velocity: new Error('the reply of the reservation was lost: counted once, counters unknown') }
      if (reply[0] !== 0) {
        const found = await log.readLookup(key, reply as LookupReply)
        // a record trimmed the moment it was read: nothing to replay, nothing reserved either
        if (found.status === 'none') throw new Error('the decision was trimmed from the log while it was read')
        return found
      }
      const velocity: VelocitySignals = {}
      // every entity's values after the 0, entity after entity
      assignAllResults(ops, reply as Array<number | string>, velocity, 1)
      return { status: 'reserved', velocity }
    },
    lookup: async (key) => await log.lookup(key)
  }
}
