import { Cluster } from 'ioredis'
import type { RedisClient } from '../redis/client.js'
import type { VelocitySignals } from '../schemas/signals.js'
import { assignResults, entityOps } from './entity-op.js'
import type { EntityOp } from './entity-op.js'
import { entityCall, RECORD_MANY_SCRIPT, RECORD_SCRIPT } from './record-script.js'
import { DEFAULT_VELOCITY_KEY_PREFIX, validateKeyPrefix } from './redis-keys.js'
import { DEFAULT_MAX_DISTINCT_PER_SERIES } from './store.js'
import type { VelocityRecordInput, VelocityStore } from './store.js'

export interface RedisVelocityStoreOptions {
  redis: RedisClient
  keyPrefix?: string
  /** the most values a distinct series keeps (default DEFAULT_MAX_DISTINCT_PER_SERIES) */
  maxDistinctPerSeries?: number
}

const COMMAND = 'riskgateVelocityRecordV2'
const MANY_COMMAND = 'riskgateVelocityRecordManyV2'

type RecordCommand = (numberOfKeys: number, ...args: string[]) => Promise<Array<number | string>>
type RecordManyCommand = (numberOfKeys: number, ...args: string[]) => Promise<Array<Array<number | string>>>

/**
 * The shared velocity store: on a standalone Redis, one Lua call for all the charge's entities
 * (RECORD_MANY_SCRIPT); on a Cluster, one call per entity (each entity's keys share a slot), sent
 * concurrently. EVALSHA, falling back to EVAL once per connection. See VelocityStore for the
 * semantics and record-script.ts for the layout.
 */
export function createRedisVelocityStore (options: RedisVelocityStoreOptions): VelocityStore {
  const { redis } = options
  const prefix = options.keyPrefix ?? DEFAULT_VELOCITY_KEY_PREFIX
  validateKeyPrefix(prefix)
  const maxDistinctPerSeries = options.maxDistinctPerSeries ?? DEFAULT_MAX_DISTINCT_PER_SERIES
  if (!Number.isSafeInteger(maxDistinctPerSeries) || maxDistinctPerSeries < 1) {
    throw new RangeError('maxDistinctPerSeries must be a positive integer')
  }
  const callOptions = { maxDistinctPerSeries }

  redis.defineCommand(COMMAND, { lua: RECORD_SCRIPT })
  const command = (redis as unknown as Record<typeof COMMAND, RecordCommand>)[COMMAND].bind(redis)
  const oneCall = !(redis instanceof Cluster)
  if (oneCall) redis.defineCommand(MANY_COMMAND, { lua: RECORD_MANY_SCRIPT })
  const commandMany = oneCall ? (redis as unknown as Record<typeof MANY_COMMAND, RecordManyCommand>)[MANY_COMMAND].bind(redis) : undefined

  function call (op: EntityOp): Promise<Array<number | string>> {
    const { keys, args } = entityCall(prefix, op, callOptions)
    return command(keys.length, ...keys, ...args)
  }

  function callMany (many: RecordManyCommand, ops: EntityOp[]): Promise<Array<Array<number | string>>> {
    const keys: string[] = []
    const args: string[] = [String(ops.length)]
    for (const op of ops) {
      const own = entityCall(prefix, op, callOptions)
      keys.push(...own.keys)
      args.push(String(own.keys.length), String(own.args.length), ...own.args)
    }
    return many(keys.length, ...keys, ...args)
  }

  return {
    backend: 'redis',
    async record ({ atMs, plan, identify }: VelocityRecordInput): Promise<VelocitySignals> {
      const ops = entityOps(plan, atMs, identify)
      if (ops.length === 0) return {}
      const results = commandMany !== undefined && ops.length > 1 ? await callMany(commandMany, ops) : await Promise.all(ops.map(call))
      const out: VelocitySignals = {}
      ops.forEach((op, i) => assignResults(op, results[i] as Array<number | string>, out))
      return out
    }
  }
}
