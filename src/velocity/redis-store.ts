import { Cluster } from 'ioredis'
import type { RedisClient } from '../redis/client.js'
import type { VelocitySignals } from '../schemas/signals.js'
import { assignResults, entityOps } from './entity-op.js'
import type { EntityOp } from './entity-op.js'
import { createKeyedHasher } from './keyed-hash.js'
import { RECORD_MANY_SCRIPT, RECORD_SCRIPT } from './record-script.js'
import { DEFAULT_VELOCITY_KEY_PREFIX, entityKeys, validateKeyPrefix } from './redis-keys.js'
import { DEFAULT_MAX_EVENTS_PER_SERIES } from './store.js'
import type { VelocityRecordInput, VelocityStore } from './store.js'

export interface RedisVelocityStoreOptions {
  redis: RedisClient
  /** RISKGATE_HASH_KEY */
  hashKey: string
  keyPrefix?: string
  maxEventsPerSeries?: number
}

const COMMAND = 'riskgateVelocityRecord'
const MANY_COMMAND = 'riskgateVelocityRecordMany'

type RecordCommand = (numberOfKeys: number, ...args: Array<string | number>) => Promise<Array<number | string>>
type RecordManyCommand = (numberOfKeys: number, ...args: Array<string | number>) => Promise<Array<Array<number | string>>>

/**
 * The shared velocity store: on a standalone Redis, one Lua call for all the charge's entities
 * (RECORD_MANY_SCRIPT); on a Cluster, one call per entity (each entity's keys share a slot), sent
 * concurrently. EVALSHA, falling back to EVAL once per connection. See VelocityStore for the
 * semantics and RECORD_SCRIPT for the layout.
 */
export function createRedisVelocityStore (options: RedisVelocityStoreOptions): VelocityStore {
  const { redis } = options
  const prefix = options.keyPrefix ?? DEFAULT_VELOCITY_KEY_PREFIX
  validateKeyPrefix(prefix)
  const cap = options.maxEventsPerSeries ?? DEFAULT_MAX_EVENTS_PER_SERIES
  if (!Number.isSafeInteger(cap) || cap < 1) throw new RangeError('maxEventsPerSeries must be a positive integer')
  const hasher = createKeyedHasher(options.hashKey)

  redis.defineCommand(COMMAND, { lua: RECORD_SCRIPT })
  const command = (redis as unknown as Record<typeof COMMAND, RecordCommand>)[COMMAND].bind(redis)
  const oneCall = !(redis instanceof Cluster)
  if (oneCall) redis.defineCommand(MANY_COMMAND, { lua: RECORD_MANY_SCRIPT })
  const commandMany = oneCall ? (redis as unknown as Record<typeof MANY_COMMAND, RecordManyCommand>)[MANY_COMMAND].bind(redis) : undefined

  function argsOf (op: EntityOp): Array<string | number> {
    const args: Array<string | number> = [op.charge, op.atMs, op.retentionMs, cap, op.counts.length]
    for (const w of op.counts) args.push(w.windowMs)
    for (const s of op.series) {
      args.push(s.kind, s.value, s.windows.length)
      for (const w of s.windows) args.push(w.windowMs)
    }
    return args
  }

  function call (op: EntityOp): Promise<Array<number | string>> {
    const keys = entityKeys(prefix, op)
    return command(keys.length, ...keys, ...argsOf(op))
  }

  function callMany (many: RecordManyCommand, ops: EntityOp[]): Promise<Array<Array<number | string>>> {
    const keys: string[] = []
    const args: Array<string | number> = [ops.length]
    for (const op of ops) {
      const own = entityKeys(prefix, op)
      const opArgs = argsOf(op)
      keys.push(...own)
      args.push(own.length, opArgs.length, ...opArgs)
    }
    return many(keys.length, ...keys, ...args)
  }

  return {
    backend: 'redis',
    async record ({ chargeId, atMs, plan }: VelocityRecordInput): Promise<VelocitySignals> {
      const ops = entityOps(plan, chargeId, atMs, hasher)
      if (ops.length === 0) return {}
      const results = commandMany !== undefined && ops.length > 1 ? await callMany(commandMany, ops) : await Promise.all(ops.map(call))
      const out: VelocitySignals = {}
      ops.forEach((op, i) => assignResults(op, results[i] as Array<number | string>, out))
      return out
    }
  }
}
