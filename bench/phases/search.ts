/**
 * Search: the cost of finding decisions in a log of 1,000,000 (GET /v1/decisions, GET
 * /v1/reviews, GET /v1/decisions/by-charge/:id), through the app's own routes (app.inject:
 * routing, authentication, validation, the store on a private redis-server, serialization; no
 * socket), in this process.
 *
 *  1. the corpus's charges are scored by the service's own scorer (in-process stores), and their
 *     records exported (identifiers as keyed digests);
 *  2. those records are written again, in time order, as `--search-records` charges (each corpus
 *     record repeated under new charge ids, spread over the last 30 days) through the Redis
 *     decision log of an app built on the private Redis with the same hash key; 2% of them get a
 *     fraud or chargeback outcome, 40% of the reviews are closed;
 *  3. each kind of query is asked `--search-queries` times with varied values (identifiers given
 *     raw, as an analyst types them): p50 and p99 per kind, and p99 over all.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { DEFAULT_LOG_PARTITIONS } from '../../src/decision-log/partition-count.js'
import type { AppendEntry } from '../../src/decision-log/store.js'
import { outcomeWrite } from '../../src/outcomes/report-outcome.js'
import type { Corpus } from '../corpus.js'
import type { BenchOptions } from '../options.js'
import { startRedis } from '../processes.js'
import { inspectRedis } from '../redis-inspect.js'
import { entryMaker } from '../record-entries.js'
import { benchApiKeys } from '../api-key.js'
import { benchServiceApp } from '../service-app.js'
import { fixed, grouped, log, percentile, sortedCopy } from '../stats.js'

export interface SearchKind {
  kind: string
  queries: number
  p50Ms: number
  p99Ms: number
  /** decisions answered per query, mean */
  meanResults: number
}

export interface SearchPhase {
  records: number
  writeSeconds: number
  /** Redis used_memory grown per record written (the record, its outcome and its indexes) */
  redisBytesPerRecord: number
  kinds: SearchKind[]
  /** over every query of every kind */
  p99Ms: number
}

const DAY_MS = 24 * 60 * 60 * 1000
const SPAN_MS = 30 * DAY_MS

async function appOf (env: Record<string, string>): Promise<FastifyInstance> {
  // load shedding's event loop limit off: the phase's own writes hold the loop up between queries
  return await benchServiceApp({ RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS: '0', ...env })
}

/** a small deterministic generator, so that every run asks the same queries */
function seeded (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export async function runSearchPhase (root: string, torFile: string, corpus: Corpus, options: BenchOptions): Promise<SearchPhase> {
  const secret = randomBytes(32).toString('base64url')
  const common = {
    RISKGATE_RULES_DIR: path.join(root, 'rules'),
    RISKGATE_TOR_EXITS_FILE: torFile,
    RISKGATE_API_KEYS: benchApiKeys('score+analyst', secret),
    RISKGATE_HASH_KEY: randomBytes(32).toString('base64url')
  }
  const headers = { authorization: `Bearer ${secret}` }

  // 1. the corpus scored, its records exported
  const scorer = await appOf({ ...common, RISKGATE_DECISION_LOG_MAX: String(corpus.charges.length + 100) })
  const records: DecisionRecord[] = []
  try {
    for (let i = 0; i < corpus.charges.length; i++) {
      await scorer.scorer.score({ ...(corpus.charges[i] as Corpus['charges'][number]), charge_id: `search_${i}` })
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve))
    }
    await scorer.outbox.flush()
    for await (const record of scorer.decisionLog.store.scan()) records.push(record)
  } finally {
    await scorer.close()
  }
  if (records.length !== corpus.charges.length) throw new Error(`search: ${records.length} of ${corpus.charges.length} records exported`)

  const redis = await startRedis()
  const inspector = inspectRedis(redis.port)
  let app: FastifyInstance | undefined
  try {
    const n = options.searchRecords
    app = await appOf({ ...common, RISKGATE_REDIS_URL: redis.url, RISKGATE_DECISION_LOG_MAX: String(Math.ceil(n / DEFAULT_LOG_PARTITIONS * 1.25)) })
    const store = app.decisionLog.store
    const maker = entryMaker(records, store.keys)
    const start = Date.now() - SPAN_MS
    const chargeIdOf = (j: number): string => `${(records[j % records.length] as DecisionRecord).charge_id}_${Math.floor(j / records.length)}`

    // 2. the log written, in time order, then outcomes and closed reviews
    const before = await inspector.usedMemory()
    const writeStarted = performance.now()
    const batch = 2000
    for (let j = 0; j < n; j += batch) {
      const entries: AppendEntry[] = []
      for (let k = j; k < Math.min(n, j + batch); k++) {
        entries.push(maker.entryOf(records[k % records.length] as DecisionRecord, k, chargeIdOf(k), start + Math.floor(k * SPAN_MS / n)))
      }
      const results = await store.append(entries)
      if (results.some((r) => r !== 'written')) throw new Error('search: a record of the bench log was not written')
      if (j % 100_000 === 0 && j > 0) log(`  ${grouped(j)} records written`)
    }
    const random = seeded(20261204)
    const pending: Array<Promise<unknown>> = []
    const drain = async (): Promise<void> => { await Promise.all(pending.splice(0)) }
    for (let j = 0; j < n; j++) {
      const record = records[j % records.length] as DecisionRecord
      const decisionId = store.keys.ofCharge(chargeIdOf(j)).decisionId
      const draw = random()
      if (draw < 0.02) {
        pending.push(store.setOutcome(decisionId, outcomeWrite({ label: draw < 0.01 ? 'fraud' : 'chargeback', source: 'api', at: new Date(start + Math.floor(j * SPAN_MS / n) + DAY_MS).toISOString() })))
      } else if (record.decision === 'review' && draw < 0.42) {
        pending.push(store.closeReview(decisionId, outcomeWrite({ label: draw < 0.3 ? 'review_approved' : 'review_rejected', source: 'review', at: new Date(start + Math.floor(j * SPAN_MS / n) + 3_600_000).toISOString() })))
      }
      if (pending.length >= 200) await drain()
    }
    await drain()
    const writeSeconds = (performance.now() - writeStarted) / 1000
    const redisBytesPerRecord = (await inspector.usedMemory() - before) / n

    // 3. the queries
    const rules = new Map<string, number>()
    for (const record of records) for (const rule of record.fired) rules.set(rule, (rules.get(rule) ?? 0) + 1)
    const byFrequency = [...rules].sort((a, b) => b[1] - a[1]).map(([rule]) => rule)
    const common2 = byFrequency[0] ?? 'none'
    const rare = byFrequency[byFrequency.length - 1] ?? 'none'
    const charges = corpus.charges
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
    const emails = charges.map((c) => c.email).filter((e): e is string => e !== undefined)
    const customers = charges.map((c) => c.customer_id).filter((e): e is string => e !== undefined)
    const cards = charges.map((c) => c.card?.fingerprint).filter((e): e is string => e !== undefined)
    const day = (): string => {
      const from = start + Math.floor(random() * 29) * DAY_MS
      return `from=${new Date(from).toISOString()}&to=${new Date(from + DAY_MS).toISOString()}`
    }
    const q = encodeURIComponent
    const kinds: Array<[string, () => string]> = [
      ['newest', () => '/v1/decisions?limit=25'],
      ['decision=review', () => '/v1/decisions?decision=review&limit=25'],
      ['decision=block', () => '/v1/decisions?decision=block&limit=25'],
      [`rule (most fired: ${common2})`, () => `/v1/decisions?rule=${q(common2)}&limit=25`],
      [`rule (least fired: ${rare})`, () => `/v1/decisions?rule=${q(rare)}&limit=25`],
      ['outcome=fraud', () => '/v1/decisions?outcome=fraud&limit=25'],
      ['outcome=none', () => '/v1/decisions?outcome=none&limit=25'],
      ['email', () => `/v1/decisions?email=${q(pick(emails))}&limit=25`],
      ['ip', () => `/v1/decisions?ip=${q((pick(charges)).ip)}&limit=25`],
      ['card_fingerprint', () => `/v1/decisions?card_fingerprint=${q(pick(cards))}&limit=25`],
      ['customer_id', () => `/v1/decisions?customer_id=${q(pick(customers))}&limit=25`],
      ['one day', () => `/v1/decisions?${day()}&limit=25`],
      ['decision=review, one day', () => `/v1/decisions?decision=review&${day()}&limit=25`],
      ['email, decision=block', () => `/v1/decisions?email=${q(pick(emails))}&decision=block&limit=25`],
      ['charge_id', () => `/v1/decisions?charge_id=${q(chargeIdOf(Math.floor(random() * n)))}`],
      ['by-charge', () => `/v1/decisions/by-charge/${q(chargeIdOf(Math.floor(random() * n)))}`],
      ['reviews open', () => '/v1/reviews?status=open&limit=25'],
      ['reviews closed', () => '/v1/reviews?status=closed&limit=25']
    ]
    const all: number[] = []
    const results: SearchKind[] = []
    const server = app
    const ask = async (url: string): Promise<{ ms: number, body: Record<string, unknown> }> => {
      const started = performance.now()
      const res = await server.inject({ method: 'GET', url, headers })
      const ms = performance.now() - started
      if (res.statusCode !== 200) throw new Error(`search: ${url.split('?')[0] ?? url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`)
      return { ms, body: res.json() }
    }
    for (const [kind, url] of kinds) {
      const times: number[] = []
      let found = 0
      for (let i = 0; i < options.searchQueries; i++) {
        const { ms, body } = await ask(url())
        times.push(ms)
        const list = body.decisions ?? body.reviews
        found += Array.isArray(list) ? list.length : 1
      }
      const sorted = sortedCopy(times)
      all.push(...times)
      results.push({ kind, queries: times.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), meanResults: found / times.length })
    }
    // deep pages: the third page of a decision kind, following cursors
    const deep: number[] = []
    for (let i = 0; i < options.searchQueries; i++) {
      let url = '/v1/decisions?decision=review&limit=25'
      for (let page = 0; page < 3; page++) {
        const { ms, body } = await ask(url)
        if (page === 2) deep.push(ms)
        if (typeof body.next_cursor !== 'string') break
        url = `/v1/decisions?decision=review&limit=25&cursor=${q(body.next_cursor)}`
      }
    }
    if (deep.length > 0) {
      const sorted = sortedCopy(deep)
      all.push(...deep)
      results.push({ kind: 'decision=review, page 3', queries: deep.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), meanResults: 25 })
    }
    const phase = { records: n, writeSeconds, redisBytesPerRecord, kinds: results, p99Ms: percentile(sortedCopy(all), 0.99) }
    log(`${grouped(n)} records written in ${fixed(writeSeconds, 0)} s (outcomes and closed reviews included); Redis ${fixed(redisBytesPerRecord, 0)} bytes per record (log, outcomes, indexes)`)
    log('query                                              queries   p50 ms   p99 ms   results')
    for (const k of results) log(`  ${k.kind.slice(0, 48).padEnd(48)} ${String(k.queries).padStart(7)}  ${fixed(k.p50Ms).padStart(7)}  ${fixed(k.p99Ms).padStart(7)}  ${fixed(k.meanResults, 1).padStart(8)}`)
    log(`  p99 over every query: ${fixed(phase.p99Ms)} ms`)
    return phase
  } finally {
    await app?.close()
    await inspector.close()
    await redis.stop()
  }
}
