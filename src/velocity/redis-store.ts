import { Cluster } from 'ioredis'
import type { RedisClient } from '../redis/client.js'
import { createLuaScript } from '../redis/lua-script.js'
import type { VelocitySignals } from '../schemas/signals.js'
import { assignAllResults, assignResults, entityOps } from './entity-op.js'
import type { EntityOp } from './entity-op.js'
import { entityCall, pushEntityCalls, RECORD_MANY_SCRIPT, RECORD_SCRIPT } from './record-script.js'
import { DEFAULT_VELOCITY_KEY_PREFIX, validateKeyPrefix } from './redis-keys.js'
import { DEFAULT_MAX_DISTINCT_PER_SERIES } from './store.js'
import type { VelocityRecordInput, VelocityStore } from './store.js'

export interface RedisVelocityStoreOptions {
  redis: RedisClient
  keyPrefix?: string
  /** the most values a distinct series keeps (default DEFAULT_MAX_DISTINCT_PER_SERIES) */
  maxDistinctPerSeries?: number
}

const recordScript = createLuaScript(RECORD_SCRIPT)
const recordManyScript = createLuaScript(RECORD_MANY_SCRIPT)

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

  const oneCall = !(redis instanceof Cluster)

  async function call (op: EntityOp): Promise<Array<number | string>> {
    const { keys, args } = entityCall(prefix, op, callOptions)
    return await recordScript.run(redis, keys, args) as Array<number | string>
  }

  /** every entity's values in one list, entity after entity */
  async function callMany (ops: EntityOp[]): Promise<Array<number | string>> {
    const keys: string[] = []
    // the charge's time: the same for every entity of a charge
    const args: string[] = [String((ops[0] as EntityOp).atMs)]
    pushEntityCalls(prefix, ops, callOptions, keys, args)
    return await recordManyScript.run(redis, keys, args) as Array<number | string>
  }

  return {
    backend: 'redis',
    async record ({ atMs, plan, identify }: VelocityRecordInput): Promise<VelocitySignals> {
      const ops = entityOps(plan, atMs, identify)
      if (ops.length === 0) return {}
      const out: VelocitySignals = {}
      if (oneCall && ops.length > 1) {
        assignAllResults(ops, await callMany(ops), out)
      } else {
        const results = await Promise.all(ops.map(call))
        ops.forEach((op, i) => assignResults(op, results[i] as Array<number | string>, out))
      }
      return out
    }
  }
}
