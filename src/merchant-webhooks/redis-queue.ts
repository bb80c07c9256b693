import type { RedisClient } from '../redis/client.js'
import { createLuaScript } from '../redis/lua-script.js'
import { validateKeyPrefix } from '../velocity/redis-keys.js'
import type { EventType } from './events.js'
import { DEFAULT_OPENED_WAIT_MS, DEFAULT_SEEN_TTL_MS } from './queue.js'
import type { Claim, DeliveryQueue, EnqueueResult } from './queue.js'
import { CLAIM_SCRIPT, ENQUEUE_SCRIPT, SETTLE_SCRIPT } from './redis-scripts.js'

export const DEFAULT_MERCHANT_WEBHOOK_PREFIX = 'rg:v1:mwh:'

export interface RedisQueueOptions {
  redis: RedisClient
  /** key prefix (tests); every key is `<prefix>{q}:<name>`: one hash tag, one Cluster slot */
  keyPrefix?: string
  openedWaitMs?: number
  seenTtlMs?: number
}

/** the queue's keys, in the order the scripts take them (see redis-scripts.ts) */
export function queueKeys (prefix: string): string[] {
  validateKeyPrefix(prefix)
  return ['b', 'm', 'd', 'c', 's', 'a'].map((name) => `${prefix}{q}:${name}`)
}

const enqueueScript = createLuaScript(ENQUEUE_SCRIPT)
const claimScript = createLuaScript(CLAIM_SCRIPT)
const settleScript = createLuaScript(SETTLE_SCRIPT)

const RESULTS: Record<string, EnqueueResult> = { 0: 'duplicate', 1: 'queued', 2: 'waiting', 3: 'superseded' }

/**
 * The delivery queue in Redis: events survive a restart, and every instance's dispatcher claims
 * from it (one claim at a time per event, by lease, in a Lua script). All keys share one hash tag:
 * review events are a small share of the decisions, and one slot keeps every operation one script.
 */
export function createRedisQueue (options: RedisQueueOptions): DeliveryQueue {
  const { redis } = options
  const keys = queueKeys(options.keyPrefix ?? DEFAULT_MERCHANT_WEBHOOK_PREFIX)
  const [, , due, , , ages] = keys as [string, string, string, string, string, string]
  const openedWaitMs = options.openedWaitMs ?? DEFAULT_OPENED_WAIT_MS
  const seenTtlMs = options.seenTtlMs ?? DEFAULT_SEEN_TTL_MS
  const int = (n: number): string => String(Math.floor(n))

  return {
    backend: 'redis',
    async enqueue (events, nowMs) {
      if (events.length === 0) return []
      const args: string[] = [int(nowMs), int(seenTtlMs), int(openedWaitMs)]
      for (const e of events) args.push(e.id, e.type, e.decisionId, int(e.createdMs), e.body)
      const reply = await enqueueScript.run(redis, keys, args) as number[]
      return reply.map((code) => RESULTS[code] ?? 'duplicate')
    },
    async claim (nowMs, max, leaseUntilMs) {
      if (max <= 0) return []
      const reply = await claimScript.run(redis, keys, [int(nowMs), int(leaseUntilMs), int(max)]) as string[][]
      return reply.map(([id, type, decisionId, created, failures, token, body]): Claim => ({
        event: { id: id as string, type: type as EventType, decisionId: decisionId as string, createdMs: Number(created), body: body as string },
        failures: Number(failures),
        token: token as string
      }))
    },
    async remove (claim, nowMs) {
      return await settleScript.run(redis, keys, [claim.event.id, claim.token, 'remove', int(nowMs), '0']) === 1
    },
    async retry (claim, retryAtMs, failures) {
      return await settleScript.run(redis, keys, [claim.event.id, claim.token, 'retry', int(retryAtMs), int(failures)]) === 1
    },
    async stats () {
      const [depth, oldest] = await Promise.all([redis.zcard(ages), redis.zrange(ages, '0', '0', 'WITHSCORES')])
      return oldest.length < 2 ? { depth } : { depth, oldestCreatedMs: Number(oldest[1]) }
    },
    async nextDueAt () {
      const first = await redis.zrange(due, '0', '0', 'WITHSCORES')
      return first.length < 2 ? undefined : Number(first[1])
    }
  }
}
