import type { RedisClient } from '../redis/client.js'
import { createKeyedDigest } from '../hashing/keyed-digest.js'
import { decisionIdOfField } from '../idempotency/decision-key.js'
import type { DecisionKey, DecisionKeys } from '../idempotency/decision-key.js'
import { atOf, contextIdOf, decodeRecord, parseContext, serializeContext } from './codec.js'
import type { RecordContext } from './codec.js'
import { mergeSorted } from './merge.js'
import type { DecisionRecord } from './record.js'
import { decisionLogKeys, DEFAULT_DECISION_LOG_PREFIX } from './redis-keys.js'
import type { DecisionLogKeys } from './redis-keys.js'
import { APPEND_SCRIPT, LOOKUP_SCRIPT, OUTCOME_SCRIPT, RESERVE_SCRIPT } from './redis-scripts.js'
import { decodeOutcome, DEFAULT_LOG_MAX_PER_PARTITION, DEFAULT_LOG_TTL_SECONDS, encodeOutcome, inRange } from './store.js'
import type { AppendEntry, AppendResult, DecisionLogStore, LogRange, Lookup, OutcomeResult, Reservation } from './store.js'

export interface RedisDecisionLogOptions {
  redis: RedisClient
  keys: DecisionKeys
  /** RISKGATE_HASH_KEY: gateway charge ids appear in keys only as keyed digests */
  hashKey: string
  keyPrefix?: string
  /** RISKGATE_DECISION_LOG_MAX: records kept per partition */
  maxPerPartition?: number
  /** RISKGATE_DECISION_LOG_TTL_SECONDS */
  ttlSeconds?: number
  /** entries read per XRANGE while scanning */
  scanBatch?: number
}

type Script = (numberOfKeys: number, ...args: Array<string | number>) => Promise<unknown>

/** slack on stream ids around a range on `at`: ids follow the write, which may come after the decision */
const RANGE_SLACK_MS = 10 * 60_000
/** a context is written again this often by each process, which renews the key's TTL */
const CONTEXT_REFRESH_MS = 60 * 60_000

const RESULTS: readonly AppendResult[] = ['written', 'duplicate', 'superseded']

/** A raw lookup reply of LOOKUP_LUA (see redis-scripts.ts). */
export type LookupReply = [0] | [1, string, string | null | false, string | null | false] | [2, string, string]

/**
 * The decision log in Redis: per partition a stream of compact records, an index, the outcomes and
 * the reservations of charges being decided (redis-keys.ts, redis-scripts.ts), every write a script
 * of one partition (one slot), idempotent, so a resent write never duplicates a record.
 */
export interface RedisDecisionLog extends DecisionLogStore {
  /** the keys the scoring script needs to reserve a charge (src/idempotency/) */
  readonly redisKeys: DecisionLogKeys
  /** a lookup reply of the scoring script, decoded */
  readLookup: (key: DecisionKey, reply: LookupReply) => Promise<Lookup>
}

export function createRedisDecisionLog (options: RedisDecisionLogOptions): RedisDecisionLog {
  const { redis, keys } = options
  const names = decisionLogKeys(options.keyPrefix ?? DEFAULT_DECISION_LOG_PREFIX)
  const maxLen = options.maxPerPartition ?? DEFAULT_LOG_MAX_PER_PARTITION
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_LOG_TTL_SECONDS
  const scanBatch = options.scanBatch ?? 500
  for (const [name, value] of [['maxPerPartition', maxLen], ['ttlSeconds', ttlSeconds], ['scanBatch', scanBatch]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`)
  }
  const ttlMs = ttlSeconds * 1000
  const digest = createKeyedDigest(options.hashKey)
  const aliasKey = (chargeId: string): string => names.alias(digest('alias', chargeId).subarray(0, 16).toString('base64url'))

  const define = (name: string, lua: string): Script => {
    redis.defineCommand(name, { lua })
    return (redis as unknown as Record<string, Script>)[name]?.bind(redis) as Script
  }
  const lookupScript = define('riskgateLogLookup', LOOKUP_SCRIPT)
  const reserveScript = define('riskgateLogReserve', RESERVE_SCRIPT)
  const appendScript = define('riskgateLogAppend', APPEND_SCRIPT)
  const outcomeScript = define('riskgateLogOutcome', OUTCOME_SCRIPT)

  // contexts: those this process wrote (and when), and those it has read
  const written = new Map<string, number>()
  const known = new Map<string, RecordContext>()

  async function contextsOf (ids: Iterable<string>): Promise<Map<string, RecordContext>> {
    const missing = [...new Set(ids)].filter((id) => !known.has(id))
    if (missing.length > 0) {
      const texts = await redis.hmget(names.contexts, ...missing)
      texts.forEach((text) => {
        const context = text === null ? undefined : parseContext(text)
        if (context !== undefined) remember(context)
      })
    }
    return known
  }

  function remember (context: RecordContext): void {
    if (known.size >= 1000) known.clear()
    known.set(context.id, context)
  }

  async function writeContexts (entries: readonly AppendEntry[]): Promise<void> {
    const at = Date.now()
    const due = new Map<string, RecordContext>()
    for (const entry of entries) {
      const last = written.get(entry.context.id)
      if (last === undefined || at - last > CONTEXT_REFRESH_MS) due.set(entry.context.id, entry.context)
    }
    if (due.size === 0) return
    const args: string[] = []
    for (const [id, context] of due) args.push(id, serializeContext(context))
    await redis.hset(names.contexts, ...args)
    await redis.pexpire(names.contexts, ttlMs)
    for (const [id, context] of due) {
      written.set(id, at)
      remember(context)
    }
  }

  async function decode (key: DecisionKey, encoded: string, outcome: string | null | false): Promise<DecisionRecord> {
    const contextId = contextIdOf(encoded)
    const context = contextId === undefined ? undefined : (await contextsOf([contextId])).get(contextId)
    const record = decodeRecord(encoded, key.decisionId, context)
    if (typeof outcome === 'string') record.outcome = decodeOutcome(outcome).outcome
    return record
  }

  function partitionKeys (key: DecisionKey): [string, string, string] {
    return [names.index(key.partition), names.stream(key.partition), names.outcomes(key.partition)]
  }

  async function readLookup (key: DecisionKey, reply: LookupReply): Promise<Lookup> {
    if (reply[0] === 1) {
      // a record trimmed between the index read and now cannot be replayed: it is no longer kept
      if (typeof reply[2] !== 'string') return { status: 'none' }
      return { status: 'recorded', fingerprint: reply[1], record: await decode(key, reply[2], reply[3]) }
    }
    if (reply[0] === 2) return { status: 'pending', fingerprint: reply[1] }
    return { status: 'none' }
  }

  async function lookup (key: DecisionKey): Promise<Lookup> {
    return await readLookup(key, await lookupScript(3, ...partitionKeys(key), key.field, Date.now()) as LookupReply)
  }

  async function appendPartition (partition: number, entries: readonly AppendEntry[]): Promise<AppendResult[]> {
    const keyArgs = [names.stream(partition), names.index(partition), names.outcomes(partition)]
    const args: Array<string | number> = [maxLen, ttlMs, Date.now()]
    for (const entry of entries) args.push(entry.key.field, entry.fingerprint, entry.nonce, entry.atMs, entry.encoded)
    const codes = await appendScript(keyArgs.length, ...keyArgs, ...args) as number[]
    if (!Array.isArray(codes) || codes.length !== entries.length) throw new Error('the decision log script returned another number of results than records')
    return codes.map((code) => RESULTS[code - 1] as AppendResult)
  }

  async function * readPartition (partition: number, range: LogRange): AsyncGenerator<{ atMs: number, record: DecisionRecord }> {
    const stream = names.stream(partition)
    let start = range.from === undefined ? '-' : String(Math.max(0, range.from.getTime() - RANGE_SLACK_MS))
    const end = range.to === undefined ? '+' : String(range.to.getTime() + RANGE_SLACK_MS)
    for (;;) {
      const entries = await redis.xrange(stream, start, end, 'COUNT', scanBatch)
      if (entries.length === 0) return
      const rows: Array<{ field: string, encoded: string, atMs: number }> = []
      for (const [, fields] of entries) {
        const field = fields[1]
        const encoded = fields[3]
        if (field === undefined || encoded === undefined) continue
        const atMs = atOf(encoded)
        if (inRange(atMs, range)) rows.push({ field, encoded, atMs })
      }
      if (rows.length > 0) {
        const outcomes = await redis.hmget(names.outcomes(partition), ...rows.map((row) => row.field))
        const contexts = await contextsOf(rows.map((row) => contextIdOf(row.encoded) ?? ''))
        const batch = rows.map((row, n) => {
          const record = decodeRecord(row.encoded, decisionIdOfField(row.field), contexts.get(contextIdOf(row.encoded) ?? ''))
          const outcome = outcomes[n]
          if (typeof outcome === 'string') record.outcome = decodeOutcome(outcome).outcome
          return { atMs: row.atMs, record }
        })
        batch.sort((a, b) => a.atMs - b.atMs)
        yield * batch
      }
      if (entries.length < scanBatch) return
      start = `(${(entries[entries.length - 1] as [string, string[]])[0]}`
    }
  }

  return {
    backend: 'redis',
    keys,
    redisKeys: names,
    readLookup,
    lookup,
    async reserve (key, fingerprint, nonce, pendingMs): Promise<Reservation> {
      const now = Date.now()
      const reply = await reserveScript(3, ...partitionKeys(key), key.field, fingerprint, nonce, now, now + pendingMs) as LookupReply
      // this attempt's own reservation: the call ran before and its reply was lost with the
      // connection, then the client sent it again. Still this attempt's to decide
      if (reply[0] === 2 && reply[2] === nonce) return { status: 'reserved' }
      const found = await readLookup(key, reply)
      return found.status === 'none' ? { status: 'reserved' } : found
    },
    async append (entries) {
      if (entries.length === 0) return []
      await writeContexts(entries)
      const byPartition = new Map<number, number[]>()
      entries.forEach((entry, n) => {
        const list = byPartition.get(entry.key.partition)
        if (list === undefined) byPartition.set(entry.key.partition, [n])
        else list.push(n)
      })
      const results: AppendResult[] = new Array(entries.length)
      await Promise.all([...byPartition].map(async ([partition, indexes]) => {
        const codes = await appendPartition(partition, indexes.map((n) => entries[n] as AppendEntry))
        indexes.forEach((n, j) => { results[n] = codes[j] as AppendResult })
      }))
      return results
    },
    async get (decisionId) {
      const key = keys.ofDecisionId(decisionId)
      if (key === undefined) return undefined
      const found = await lookup(key)
      return found.status === 'recorded' ? found.record : undefined
    },
    async setOutcome (decisionId, write): Promise<OutcomeResult> {
      const key = keys.ofDecisionId(decisionId)
      if (key === undefined) return { status: 'unknown' }
      const reply = await outcomeScript(2, names.index(key.partition), names.outcomes(key.partition),
        key.field, encodeOutcome(write), write.rank, write.force ? '1' : '0') as [number, string?]
      if (reply[0] === 0) return { status: 'unknown' }
      if (reply[0] === 2 && reply[1] !== undefined) return { status: 'kept', outcome: decodeOutcome(reply[1]).outcome }
      return { status: 'stored', outcome: write.outcome }
    },
    async findByChargeId (chargeId) {
      const key = keys.ofCharge(chargeId)
      if (await redis.hexists(names.index(key.partition), key.field) === 1) return key.decisionId
      return (await redis.get(aliasKey(chargeId))) ?? undefined
    },
    async linkCharge (chargeId, decisionId) {
      await redis.set(aliasKey(chargeId), decisionId, 'PX', ttlMs)
    },
    scan (range: LogRange = {}) {
      const sources = Array.from({ length: keys.partitions }, (_, p) => readPartition(p, range))
      return (async function * () {
        for await (const item of mergeSorted(sources, (a, b) => a.atMs - b.atMs)) yield item.record
      })()
    }
  }
}
