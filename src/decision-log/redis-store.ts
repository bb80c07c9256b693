import type { RedisClient } from '../redis/client.js'
import { createLuaScript } from '../redis/lua-script.js'
import { createKeyedDigest128 } from '../hashing/keyed-digest.js'
import { decisionIdOfField } from '../idempotency/decision-key.js'
import type { DecisionKey, DecisionKeys } from '../idempotency/decision-key.js'
import { atOf, contextIdOf, decodeRecord, parseContext, serializeContext } from './codec.js'
import type { RecordContext } from './codec.js'
import { mergeSorted } from './merge.js'
import { partitionCode } from './place-entries.js'
import type { DecisionRecord } from './record.js'
import { decisionLogKeys, DEFAULT_DECISION_LOG_PREFIX } from './redis-keys.js'
import type { DecisionLogKeys } from './redis-keys.js'
import { APPEND_SCRIPT, LOOKUP_SCRIPT, OUTCOME_SCRIPT, POSTINGS_MAX, READ_SCRIPT, RESERVE_SCRIPT, reservationValue } from './redis-scripts.js'
import { checkLimit, comparePositions, decodeCursor, encodeCursor, reviewScope, searchScope } from './cursor.js'
import type { Position } from './cursor.js'
import { buildOverview, hourOf, hoursOf, reportedMs } from './overview.js'
import { MAX_OUTCOME_HISTORY } from './record.js'
import type { DecisionOutcome } from './record.js'
import { TEXT_PAGE_MAX } from './text-pages.js'
import { identifiersOfIndexArg, indexArg, searchKey, time13 } from './search-keys.js'
import type { IndexName } from './search-keys.js'
import { DecisionLogFormat } from './format.js'
import { recordMatches, searchStart } from './search-filter.js'
import { decodeOutcome, defaultMaxPerPartition, DEFAULT_LOG_TTL_SECONDS, inRange, SEARCH_EXAMINE_MAX } from './store.js'
import { renewLogPartitions } from './partition-count.js'
import type {
  AppendEntry, AppendResult, CloseReviewResult, DecisionLogStore, IdentifierKind, LogRange, Lookup, OutcomeResult, OutcomeWrite, Page, Reservation, SearchQuery
} from './store.js'

export interface RedisDecisionLogOptions {
  redis: RedisClient
  /**
   * the client the appends take (the outbox's batches of records, and the contexts they name):
   * a connection of their own, so that they never queue ahead of a charge's scoring call
   * (plugins/redis.ts); `redis` when not given
   */
  writer?: RedisClient
  keys: DecisionKeys
  /** RISKGATE_HASH_KEY: gateway charge ids appear in keys only as keyed digests */
  hashKey: string
  keyPrefix?: string
  /** RISKGATE_DECISION_LOG_MAX: records kept per partition (default: a share of DEFAULT_LOG_MAX_RECORDS) */
  maxPerPartition?: number
  /** RISKGATE_DECISION_LOG_TTL_SECONDS */
  ttlSeconds?: number
  /** entries read per XRANGE while scanning */
  scanBatch?: number
  /** candidates a search or review page examines at most (SEARCH_EXAMINE_MAX; tests set fewer) */
  examineMax?: number
  /** entries an identifier's postings hash field holds before they move to a sorted set (POSTINGS_MAX; tests set fewer) */
  postingsMax?: number
  /** entries of a page of the kind and rule indexes (text-pages.ts TEXT_PAGE_MAX; tests set fewer) */
  pageMax?: number
  /** what the log writes (format.ts): with 2, every index entry in the stream keeps its time */
  format?: DecisionLogFormat
}

/**
 * one member of an index as READ_SCRIPT answers it, with its record's parts when it is kept; its
 * position's field is the member (a place or a decision's field: place-entries.ts)
 */
interface Candidate extends Position {
  partition: number
  /** the decision's field, when its record is kept */
  decision?: string
  encoded?: string
  /** the record's index entry (search-keys.ts indexArg) */
  x?: string
  outcome?: string
  history?: string
  close?: string
}

const lookupScript = createLuaScript(LOOKUP_SCRIPT)
const reserveScript = createLuaScript(RESERVE_SCRIPT)
const appendScript = createLuaScript(APPEND_SCRIPT)
const outcomeScript = createLuaScript(OUTCOME_SCRIPT)
const readScript = createLuaScript(READ_SCRIPT)

/** slack on stream ids around a range on `at`: ids follow the write, which may come after the decision */
const RANGE_SLACK_MS = 10 * 60_000
/** a context is written again this often by each process, which renews the key's TTL */
const CONTEXT_REFRESH_MS = 60 * 60_000

const RESULTS: readonly AppendResult[] = ['written', 'duplicate', 'superseded']

/** rg_log_lookup's raw reply (redis-scripts.ts): recorded (fingerprint, record, index entry, outcome, the history when asked), reserved, or neither */
export type LookupReply = [0] | [1, string, string | null | false, string | null | false, string | null | false, (string | null | false)?] | [2, string, string]

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

/**
 * The most records of a batch whose partitions are written one after the other (above it, at
 * once): the bench's steady 300 charges a second give batches of about 15, its load phase of
 * about 150 (docs/performance.md)
 */
export const SPACED_BATCH_MAX = 64

export function createRedisDecisionLog (options: RedisDecisionLogOptions): RedisDecisionLog {
  const { redis, keys } = options
  const writer = options.writer ?? redis
  const names = decisionLogKeys(options.keyPrefix ?? DEFAULT_DECISION_LOG_PREFIX)
  const maxLen = options.maxPerPartition ?? defaultMaxPerPartition(keys.partitions)
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_LOG_TTL_SECONDS
  const scanBatch = options.scanBatch ?? 500
  const examineMax = options.examineMax ?? SEARCH_EXAMINE_MAX
  const postingsMax = options.postingsMax ?? POSTINGS_MAX
  const pageMax = options.pageMax ?? TEXT_PAGE_MAX
  // the append script's flag: every index entry keeps its time (format 2: what earlier versions read)
  const keepTimes = options.format === DecisionLogFormat.EARLIER ? 1 : 0
  for (const [name, value] of [['maxPerPartition', maxLen], ['ttlSeconds', ttlSeconds], ['scanBatch', scanBatch], ['examineMax', examineMax], ['postingsMax', postingsMax], ['pageMax', pageMax]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`)
  }
  const ttlMs = ttlSeconds * 1000
  const digest = createKeyedDigest128(options.hashKey)
  const aliasKey = (chargeId: string): string => names.alias(digest('alias', chargeId))

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
    await writer.hset(names.contexts, ...args)
    await writer.pexpire(names.contexts, ttlMs)
    // the log's partition count (partition-count.ts) lives as long as the contexts
    await renewLogPartitions(writer, names, keys.partitions, ttlMs)
    for (const [id, context] of due) {
      written.set(id, at)
      remember(context)
    }
  }

  /** a record from its stream entry's fields: the encoded record and its index entry (x) */
  async function decode (decisionId: string, encoded: string, x: unknown, outcome: unknown, history: unknown): Promise<DecisionRecord> {
    const contextId = contextIdOf(encoded)
    const context = contextId === undefined ? undefined : (await contextsOf([contextId])).get(contextId)
    return withOutcomes(decodeRecord(encoded, decisionId, context, identifiersOfIndexArg(x)), outcome, history)
  }

  function partitionKeys (key: DecisionKey): [string, string, string] {
    return [names.index(key.partition), names.stream(key.partition), names.outcomes(key.partition)]
  }

  /** the keys READ_SCRIPT reads beside the sorted set */
  function recordKeys (partition: number): string[] {
    return [names.index(partition), names.stream(partition), names.outcomes(partition), names.history(partition), names.closes(partition)]
  }

  async function readLookup (key: DecisionKey, reply: LookupReply): Promise<Lookup> {
    if (reply[0] === 1) {
      // a record trimmed between the index read and now cannot be replayed: it is no longer kept
      if (typeof reply[2] !== 'string') return { status: 'none' }
      return { status: 'recorded', fingerprint: reply[1], record: await decode(key.decisionId, reply[2], reply[3], reply[4], reply[5]) }
    }
    if (reply[0] === 2) return { status: 'pending', fingerprint: reply[1] }
    return { status: 'none' }
  }

  async function lookup (key: DecisionKey): Promise<Lookup> {
    return await readLookup(key, await lookupScript.run(redis, [...partitionKeys(key), names.history(key.partition)], [key.field, Date.now()]) as LookupReply)
  }

  async function appendPartition (partition: number, entries: readonly AppendEntry[]): Promise<AppendResult[]> {
    const keyArgs = [names.stream(partition), names.index(partition), names.outcomes(partition), names.history(partition), names.closes(partition)]
    const args: Array<string | number> = [maxLen, ttlMs, Date.now(), names.partition(partition), postingsMax, pageMax, keepTimes]
    for (const entry of entries) args.push(entry.key.field, entry.fingerprint, entry.nonce, entry.atMs, entry.encoded, indexArg(entry.index, entry.atMs))
    const codes = await appendScript.run(writer, keyArgs, args) as number[]
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
      const rows: Array<{ field: string, encoded: string, x: string | undefined, atMs: number }> = []
      for (const [, fields] of entries) {
        // d <field> r <record> x <index entry>
        const field = fields[1]
        const encoded = fields[3]
        if (field === undefined || encoded === undefined) continue
        const atMs = atOf(encoded)
        if (inRange(atMs, range)) rows.push({ field, encoded, x: fields[5], atMs })
      }
      if (rows.length > 0) {
        const fields = rows.map((row) => row.field)
        const outcomes = await redis.hmget(names.outcomes(partition), ...fields)
        const histories = await redis.hmget(names.history(partition), ...fields)
        const contexts = await contextsOf(rows.map((row) => contextIdOf(row.encoded) ?? ''))
        const batch = rows.map((row, n) => {
          const record = decodeRecord(row.encoded, decisionIdOfField(row.field), contexts.get(contextIdOf(row.encoded) ?? ''), identifiersOfIndexArg(row.x))
          return { atMs: row.atMs, record: withOutcomes(record, outcomes[n], histories[n]) }
        })
        batch.sort((a, b) => a.atMs - b.atMs)
        yield * batch
      }
      if (entries.length < scanBatch) return
      start = `(${(entries[entries.length - 1] as [string, string[]])[0]}`
    }
  }

  /** an outcome reported ('o') or a review closed ('c'), in one script of the decision's partition */
  async function writeOutcome (key: DecisionKey, write: OutcomeWrite, mode: 'o' | 'c'): Promise<CloseReviewResult> {
    const reported = reportedMs(write.outcome.at, Date.now())
    const reply = await outcomeScript.run(redis, [names.index(key.partition), names.outcomes(key.partition), names.history(key.partition), names.closes(key.partition), names.stream(key.partition)], [
      key.field, write.rank, write.force ? '1' : '0', JSON.stringify(write.outcome), write.outcome.label, reported, hourOf(reported), mode,
      names.partition(key.partition), ttlMs, MAX_OUTCOME_HISTORY]) as [number, string?]
    switch (reply[0]) {
      case 1: return { status: 'stored', outcome: { ...write.outcome } }
      case 2: return { status: 'kept', outcome: decodeOutcome(reply[1] ?? '').outcome }
      case 3: return { status: 'not_review' }
      case 4: {
        const close = reply[1] ?? ''
        return { status: 'closed', outcome: JSON.parse(close.slice(close.indexOf('|') + 1)) as DecisionOutcome }
      }
      default: return { status: 'unknown' }
    }
  }

  /** the indexes a search without an identifier reads: of its most selective filter, or of every decision kind */
  function searchKeys (query: SearchQuery): IndexName[] {
    if (query.outcome !== undefined && query.outcome !== 'none') return [{ set: searchKey.label(query.outcome) }]
    if (query.rule !== undefined) return [searchKey.rule(query.rule)]
    if (query.decision !== undefined) return [searchKey.kind(query.decision)]
    return [searchKey.kind('allow'), searchKey.kind('review'), searchKey.kind('block')]
  }

  /**
   * One index of one partition, in order from `after` (excluded) to `bound`, read in batches that
   * grow (a first page needs few), each batch one script call with its records.
   */
  async function * readIndex (partition: number, name: IndexName, direction: 'a' | 'd', bound: string, after: Position | undefined, limit: number): AsyncGenerator<Candidate> {
    let position = after
    let count = firstBatch(limit)
    for (;;) {
      const batch = await readBatch(partition, name.set, [direction, bound, position === undefined ? '' : String(position.ms), position?.field ?? '', count, partitionCode(partition)],
        name.paged === undefined ? [] : [name.paged.sets, name.paged.text, name.paged.places].map((key) => names.partition(partition) + key))
      yield * batch.candidates
      position = batch.candidates[batch.candidates.length - 1] ?? position
      if (batch.done) return
      count = Math.min(count * 4, 512)
    }
  }

  /** one digest's records in one partition, newest first, from `fromMs` (included) to before `before` (search-keys.ts) */
  async function * readIdentifier (partition: number, kind: IdentifierKind, digest: string, fromMs: number | undefined, before: Position | undefined, limit: number): AsyncGenerator<Candidate> {
    let position = before
    let count = firstBatch(limit)
    const from = fromMs === undefined ? '' : time13(fromMs)
    for (;;) {
      const batch = await readBatch(partition, searchKey.identifier(kind),
        ['x', from, position === undefined ? '' : time13(position.ms), position?.field ?? '', count, digest, partitionCode(partition)],
        [searchKey.postings(kind), searchKey.placePostings(kind)].map((key) => names.partition(partition) + key))
      yield * batch.candidates
      position = batch.candidates[batch.candidates.length - 1]
      if (batch.done || position === undefined) return
      count = Math.min(count * 4, 512)
    }
  }

  /** sources are read in parallel: together a first batch holds about twice a page */
  function firstBatch (limit: number): number {
    return Math.min(Math.max(8, Math.ceil((limit + 1) * 2 / keys.partitions)), 64)
  }

  /**
   * `more`: the keys after KEYS[6] of the read script: the postings hash of an identifier's read, or
   * the directories of a text-paged index and of its paged set
   */
  async function readBatch (partition: number, name: string, args: Array<string | number>, more: string[] = []): Promise<{ done: boolean, candidates: Candidate[] }> {
    const keyArgs = [names.partition(partition) + name, ...recordKeys(partition), ...more]
    const reply = await readScript.run(redis, keyArgs, args) as Array<string | number | null>
    const candidates: Candidate[] = []
    for (let j = 1; j + 7 < reply.length; j += 8) {
      const candidate: Candidate = { partition, field: reply[j] as string, ms: Number(reply[j + 1]) }
      const [decision, encoded, x, outcome, history, close] = reply.slice(j + 2, j + 8)
      if (typeof decision === 'string' && typeof encoded === 'string') {
        candidate.decision = decision
        candidate.encoded = encoded
      }
      if (typeof x === 'string') candidate.x = x
      if (typeof outcome === 'string') candidate.outcome = outcome
      if (typeof history === 'string') candidate.history = history
      if (typeof close === 'string') candidate.close = close
      candidates.push(candidate)
    }
    return { done: reply[0] === 1, candidates }
  }

  /** a page of the partitions' candidates merged in order: at most `limit` records and `examineMax` candidates examined */
  async function page (sources: Array<AsyncGenerator<Candidate>>, direction: 'a' | 'd', limit: number, scope: string,
    holds: (candidate: Candidate, record: DecisionRecord) => boolean): Promise<Page> {
    const order = direction === 'd' ? (a: Candidate, b: Candidate) => comparePositions(b, a) : comparePositions
    const found: DecisionRecord[] = []
    let examined = 0
    let last: Position | undefined
    let more = false
    for await (const candidate of mergeSorted(sources, order)) {
      if (found.length === limit || examined === examineMax) {
        more = true
        break
      }
      examined++
      last = { ms: candidate.ms, field: candidate.field }
      // a member whose record is no longer kept (trimmed, its index entry not yet) is skipped
      if (candidate.encoded === undefined || candidate.decision === undefined) continue
      const record = await decode(decisionIdOfField(candidate.decision), candidate.encoded, candidate.x, candidate.outcome, candidate.history)
      if (holds(candidate, record)) found.push(record)
    }
    return more && last !== undefined ? { records: found, next: encodeCursor(last, scope) } : { records: found }
  }

  return {
    backend: 'redis',
    keys,
    redisKeys: names,
    readLookup,
    lookup,
    async reserve (key, fingerprint, nonce, pendingMs): Promise<Reservation> {
      const now = Date.now()
      const reply = await reserveScript.run(redis, partitionKeys(key), [key.field, reservationValue(fingerprint, nonce, now + pendingMs), now]) as LookupReply
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
      const write = async ([partition, indexes]: [number, number[]]): Promise<void> => {
        const codes = await appendPartition(partition, indexes.map((n) => entries[n] as AppendEntry))
        indexes.forEach((n, j) => { results[n] = codes[j] as AppendResult })
      }
      if (entries.length <= SPACED_BATCH_MAX) {
        // a small batch (a moderate rate): one partition's script after the other, each sent once
        // the one before answered. Redis runs the commands one connection sent together back to
        // back, with no other client's between them: the scripts of every partition sent at once
        // held Redis's one thread for all of them (about 2 ms at 300 charges a second, where a
        // script's cost is mostly its own, not its records'), and a scoring call that came then
        // waited for all of them
        for (const part of byPartition) await write(part)
      } else {
        // a large one (under load) at once: spaced, the log's writes fell behind
        await Promise.all([...byPartition].map(write))
      }
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
      return await writeOutcome(key, write, 'o') as OutcomeResult
    },
    async closeReview (decisionId, write): Promise<CloseReviewResult> {
      const key = keys.ofDecisionId(decisionId)
      if (key === undefined) return { status: 'unknown' }
      return await writeOutcome(key, write, 'c')
    },
    async search (query) {
      checkLimit(query.limit)
      const scope = searchScope(query)
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, scope)
      const from = query.range?.from?.getTime()
      const start = searchStart(query, cursor)
      const identifier = query.identifier
      const sources = identifier !== undefined
        ? Array.from({ length: keys.partitions }, (_, p) => readIdentifier(p, identifier.kind, identifier.digest, from, start, query.limit))
        : searchKeys(query).flatMap((name) => Array.from({ length: keys.partitions }, (_, p) =>
          readIndex(p, name, 'd', from === undefined ? '-inf' : String(from), start, query.limit)))
      return await page(sources, 'd', query.limit, scope, (candidate, record) => atOf(candidate.encoded ?? '') === candidate.ms && recordMatches(query, candidate.ms, record))
    },
    async reviews (query) {
      checkLimit(query.limit)
      const scope = reviewScope(query)
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, scope)
      const open = query.status === 'open'
      const sources = Array.from({ length: keys.partitions }, (_, p) =>
        readIndex(p, { set: open ? searchKey.open : searchKey.closed }, open ? 'a' : 'd', open ? '+inf' : '-inf', cursor, query.limit))
      return await page(sources, open ? 'a' : 'd', query.limit, scope, (candidate, record) => record.decision === 'review' && (open
        ? candidate.close === undefined && atOf(candidate.encoded ?? '') === candidate.ms
        : candidate.close !== undefined && Number(candidate.close.slice(0, candidate.close.indexOf('|'))) === candidate.ms))
    },
    async overview (query) {
      // counts live for the log's TTL: older (or far future) hours are not asked for
      const now = Date.now()
      const wanted = hoursOf(query).filter((hour) => hour >= hourOf(now - ttlMs) - 1 && hour <= hourOf(now) + 24)
      const counts = new Map<number, Map<string, number>>()
      await Promise.all(Array.from({ length: keys.partitions }, async (_, p) => {
        if (wanted.length === 0) return
        const pipeline = redis.pipeline()
        for (const hour of wanted) pipeline.hgetall(names.partition(p) + searchKey.hour(hour))
        const replies = await pipeline.exec() ?? []
        replies.forEach(([error, value], n) => {
          if (error !== null) throw error
          const hour = wanted[n] as number
          let into = counts.get(hour)
          for (const [field, text] of Object.entries(value as Record<string, string>)) {
            if (into === undefined) counts.set(hour, into = new Map())
            into.set(field, (into.get(field) ?? 0) + Number(text))
          }
        })
      }))
      return buildOverview(query, (hour) => counts.get(hour))
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

/** a decoded record with its latest outcome and its history (one outcome JSON a line), as stored */
function withOutcomes (record: DecisionRecord, outcome: unknown, history: unknown): DecisionRecord {
  if (typeof outcome === 'string') record.outcome = decodeOutcome(outcome).outcome
  if (typeof history === 'string' && history !== '') record.outcomes = history.split('\n').map((line) => JSON.parse(line) as DecisionOutcome)
  return record
}
