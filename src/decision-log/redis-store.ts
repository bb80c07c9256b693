import { Cluster } from 'ioredis'
import type { RedisClient } from '../redis/client.js'
import { createKeyedHasher, HashDomain } from '../velocity/keyed-hash.js'
import { mergeSorted } from './merge.js'
import { partitionOf } from './partition.js'
import type { DecisionOutcome, DecisionRecord } from './record.js'
import { decisionLogKeys, DEFAULT_DECISION_LOG_PREFIX } from './redis-keys.js'
import { DEFAULT_LOG_MAX_PER_PARTITION, DEFAULT_LOG_PARTITIONS, DEFAULT_LOG_TTL_SECONDS, inRange } from './store.js'
import type { DecisionLogStore, LogRange, OutcomeResult } from './store.js'

export interface RedisDecisionLogOptions {
  redis: RedisClient
  /** RISKGATE_HASH_KEY: decision and charge ids appear in keys only as keyed hashes */
  hashKey: string
  keyPrefix?: string
  /** RISKGATE_DECISION_LOG_MAX: MAXLEN ~ of each partition's stream */
  maxPerPartition?: number
  /** RISKGATE_DECISION_LOG_PARTITIONS */
  partitions?: number
  /** RISKGATE_DECISION_LOG_TTL_SECONDS: lifetime of the by-id and by-charge indexes */
  ttlSeconds?: number
  /** entries read per XRANGE while scanning */
  scanBatch?: number
}

/** a record's place in the log, and its latest outcome with its rank */
const INDEX_SCRIPT = `
redis.call('HSET', KEYS[1], 'p', ARGV[1], 's', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`

/** {0} unknown decision, {1} stored, {2, outcome} a stronger outcome is kept */
const OUTCOME_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
if ARGV[3] ~= '1' then
  local current = redis.call('HMGET', KEYS[1], 'k', 'o')
  if current[2] and tonumber(current[1]) > tonumber(ARGV[2]) then return {2, current[2]} end
end
redis.call('HSET', KEYS[1], 'o', ARGV[1], 'k', ARGV[2])
return {1}`

/**
 * A batch of records in one call (standalone Redis only: its keys span partitions and indexes).
 * KEYS: per record its stream, its decision index and its charge index. ARGV: MAXLEN, TTL, then
 * per record its partition, its time (ms), its decision id and its JSON. Each record is appended as
 * the single-record path does it (`<ms>-*`, or `*` when the stream already holds a later id) and
 * indexed. Returns the stream ids.
 */
const APPEND_MANY_SCRIPT = `
local maxlen = ARGV[1]
local ttl = ARGV[2]
local ids = {}
for r = 1, #KEYS / 3 do
  local k = (r - 1) * 3
  local a = 2 + (r - 1) * 4
  local id = redis.pcall('XADD', KEYS[k + 1], 'MAXLEN', '~', maxlen, ARGV[a + 2] .. '-*', 'r', ARGV[a + 4])
  if type(id) == 'table' and id.err then
    id = redis.call('XADD', KEYS[k + 1], 'MAXLEN', '~', maxlen, '*', 'r', ARGV[a + 4])
  end
  redis.call('HSET', KEYS[k + 2], 'p', ARGV[a + 1], 's', id)
  redis.call('EXPIRE', KEYS[k + 2], ttl)
  redis.call('SET', KEYS[k + 3], ARGV[a + 3], 'EX', ttl)
  ids[r] = id
end
return ids`

type IndexCommand = (key: string, partition: number, streamId: string, ttl: number) => Promise<number>
type AppendManyCommand = (numberOfKeys: number, ...args: Array<string | number>) => Promise<string[]>
type OutcomeCommand = (key: string, outcome: string, rank: number, force: string) => Promise<[number, string?]>

/** slack on stream ids around a range on `at`: an id is later than its `at` when another instance's clock was ahead */
const RANGE_SLACK_MS = 60_000

interface Positioned { atMs: number, ms: number, seq: number, record: DecisionRecord }

function parseStreamId (id: string): { ms: number, seq: number } {
  const dash = id.indexOf('-')
  return { ms: Number(id.slice(0, dash)), seq: Number(id.slice(dash + 1)) }
}

/**
 * The decision log in Redis: records in N bounded streams (XADD MAXLEN ~), found by decision id
 * through an index hash that also holds the latest outcome, and by charge id. See redis-keys.ts.
 */
export function createRedisDecisionLog (options: RedisDecisionLogOptions): DecisionLogStore {
  const { redis } = options
  const keys = decisionLogKeys(options.keyPrefix ?? DEFAULT_DECISION_LOG_PREFIX)
  const maxLen = options.maxPerPartition ?? DEFAULT_LOG_MAX_PER_PARTITION
  const partitions = options.partitions ?? DEFAULT_LOG_PARTITIONS
  const ttl = options.ttlSeconds ?? DEFAULT_LOG_TTL_SECONDS
  const scanBatch = options.scanBatch ?? 500
  for (const [name, value] of [['maxPerPartition', maxLen], ['partitions', partitions], ['ttlSeconds', ttl], ['scanBatch', scanBatch]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`)
  }
  const hasher = createKeyedHasher(options.hashKey)
  const decisionKey = (decisionId: string): string => keys.decision(hasher.hash(HashDomain.DECISION, decisionId))
  const chargeKey = (chargeId: string): string => keys.charge(hasher.hash(HashDomain.DECISION, chargeId))

  redis.defineCommand('riskgateLogIndex', { numberOfKeys: 1, lua: INDEX_SCRIPT })
  redis.defineCommand('riskgateLogOutcome', { numberOfKeys: 1, lua: OUTCOME_SCRIPT })
  const commands = redis as unknown as { riskgateLogIndex: IndexCommand, riskgateLogOutcome: OutcomeCommand }
  const indexCommand: IndexCommand = commands.riskgateLogIndex.bind(redis)
  const outcomeCommand: OutcomeCommand = commands.riskgateLogOutcome.bind(redis)
  const oneCall = !(redis instanceof Cluster)
  if (oneCall) redis.defineCommand('riskgateLogAppendMany', { lua: APPEND_MANY_SCRIPT })
  const appendMany = oneCall ? (redis as unknown as { riskgateLogAppendMany: AppendManyCommand }).riskgateLogAppendMany.bind(redis) : undefined

  /** standalone Redis: the whole batch in one script call, one round trip */
  async function appendInOneCall (many: AppendManyCommand, records: readonly DecisionRecord[]): Promise<void> {
    const names: string[] = []
    const args: Array<string | number> = [maxLen, ttl]
    for (const record of records) {
      const { outcome: _ignored, ...rest } = record
      const partition = partitionOf(record.decision_id, partitions)
      names.push(keys.stream(partition), decisionKey(record.decision_id), chargeKey(record.charge_id))
      args.push(partition, Date.parse(record.at), record.decision_id, JSON.stringify(rest))
    }
    const ids = await many(names.length, ...names, ...args)
    if (ids.length !== records.length) throw new Error('the decision log script returned fewer ids than records')
  }

  async function append (records: readonly DecisionRecord[]): Promise<void> {
    if (records.length === 0) return
    if (appendMany !== undefined) {
      await appendInOneCall(appendMany, records)
      return
    }
    await Promise.all(records.map(async (record) => {
      const { outcome: _ignored, ...rest } = record
      const partition = partitionOf(record.decision_id, partitions)
      const key = keys.stream(partition)
      const json = JSON.stringify(rest)
      // the entry id is the decision time (`<ms>-*`, Redis >= 7), so time ranges are XRANGEs; when
      // the stream already holds a later id (another instance's clock is ahead), Redis picks it (`*`)
      let id: string | null
      try {
        id = await redis.xadd(key, 'MAXLEN', '~', String(maxLen), `${Date.parse(record.at)}-*`, 'r', json)
      } catch {
        id = await redis.xadd(key, 'MAXLEN', '~', String(maxLen), '*', 'r', json)
      }
      if (id === null) throw new Error('XADD returned no id')
      await Promise.all([
        indexCommand(decisionKey(record.decision_id), partition, id, ttl),
        redis.set(chargeKey(record.charge_id), record.decision_id, 'EX', ttl)
      ])
    }))
  }

  async function outcomesOf (records: readonly DecisionRecord[]): Promise<void> {
    // one HGET per record, sent together (each touches one key: fine on a Cluster)
    const outcomes = await Promise.all(records.map(async (r) => await redis.hget(decisionKey(r.decision_id), 'o')))
    records.forEach((record, i) => {
      const json = outcomes[i]
      if (typeof json === 'string') record.outcome = JSON.parse(json) as DecisionOutcome
    })
  }

  async function * readPartition (partition: number, range: LogRange): AsyncGenerator<Positioned> {
    const key = keys.stream(partition)
    let start = range.from === undefined ? '-' : String(Math.max(0, range.from.getTime() - RANGE_SLACK_MS))
    const end = range.to === undefined ? '+' : String(range.to.getTime() + RANGE_SLACK_MS)
    for (;;) {
      const entries = await redis.xrange(key, start, end, 'COUNT', scanBatch)
      if (entries.length === 0) return
      const batch: Positioned[] = []
      for (const [id, fields] of entries) {
        const json = fields[fields.indexOf('r') + 1]
        if (json === undefined) continue
        const record = JSON.parse(json) as DecisionRecord
        if (inRange(record.at, range)) batch.push({ atMs: Date.parse(record.at), ...parseStreamId(id), record })
      }
      await outcomesOf(batch.map((p) => p.record))
      yield * batch
      if (entries.length < scanBatch) return
      start = `(${(entries[entries.length - 1] as [string, string[]])[0]}`
    }
  }

  return {
    backend: 'redis',
    append,
    async get (decisionId) {
      const [partition, streamId, outcome] = await redis.hmget(decisionKey(decisionId), 'p', 's', 'o')
      if (typeof partition !== 'string' || typeof streamId !== 'string') return undefined
      const entries = await redis.xrange(keys.stream(Number(partition)), streamId, streamId)
      const fields = entries[0]?.[1]
      const json = fields === undefined ? undefined : fields[fields.indexOf('r') + 1]
      if (json === undefined) return undefined // trimmed from the log (MAXLEN)
      const record = JSON.parse(json) as DecisionRecord
      if (typeof outcome === 'string') record.outcome = JSON.parse(outcome) as DecisionOutcome
      return record
    },
    async has (decisionId) {
      return await redis.exists(decisionKey(decisionId)) === 1
    },
    async setOutcome (decisionId, write): Promise<OutcomeResult> {
      const [status, current] = await outcomeCommand(decisionKey(decisionId), JSON.stringify(write.outcome), write.rank, write.force ? '1' : '0')
      if (status === 0) return { status: 'unknown' }
      if (status === 2 && current !== undefined) return { status: 'kept', outcome: JSON.parse(current) as DecisionOutcome }
      return { status: 'stored', outcome: write.outcome }
    },
    async findByChargeId (chargeId) {
      return (await redis.get(chargeKey(chargeId))) ?? undefined
    },
    async linkCharge (chargeId, decisionId) {
      await redis.set(chargeKey(chargeId), decisionId, 'EX', ttl)
    },
    scan (range: LogRange = {}) {
      const sources = Array.from({ length: partitions }, (_, p) => readPartition(p, range))
      return (async function * () {
        for await (const item of mergeSorted(sources, (a, b) => a.atMs - b.atMs || a.ms - b.ms || a.seq - b.seq)) yield item.record
      })()
    }
  }
}
