import fc from 'fast-check'
import type { Test } from 'tap'
import { encodeRecord } from '../../src/decision-log/codec.js'
import { indexEntry } from '../../src/decision-log/index-entry.js'
import { InvalidCursorError } from '../../src/decision-log/invalid-cursor.js'
import { MAX_OUTCOME_HISTORY } from '../../src/decision-log/record.js'
import type { DecisionOutcome, DecisionRecord, OutcomeLabel } from '../../src/decision-log/record.js'
import { IdentifierKind } from '../../src/decision-log/store.js'
import type { AppendEntry, DecisionLogStore, OutcomeWrite, Page, SearchQuery } from '../../src/decision-log/store.js'
import type { Features } from '../../src/engine/features.js'
import type { DecisionKeys } from '../../src/idempotency/decision-key.js'
import type { Decision } from '../../src/schemas/decision.js'
import { CONTEXT, digestOf, outcome } from './decision-log-suite.js'
import type { LogOptions } from './decision-log-suite.js'

export interface SearchLogOptions extends LogOptions {
  /** candidates a page examines at most (the store's SEARCH_EXAMINE_MAX otherwise) */
  examineMax?: number
}

export type CreateSearchLog = (t: Test, options?: SearchLogOptions) => Promise<DecisionLogStore>

/** raw identifiers of a record (hashed by the codec and the index entry, as scoring does) */
export type RawIdentifiers = Partial<Record<IdentifierKind, string>>

export interface RecordSpec {
  chargeId: string
  atMs: number
  decision: Decision
  rules?: readonly string[]
  ids?: RawIdentifiers
  degraded?: boolean
}

/** a decision as the scorer records it, with the index entry it computes */
export function searchEntry (keys: DecisionKeys, spec: RecordSpec): AppendEntry {
  const ids = spec.ids ?? {}
  const features: Features = {
    amount: 1000,
    currency: 'THB',
    item_count: 0,
    items: [],
    metadata: {},
    // an address is always there (scoring reads it from the request); empty: none to index
    ip: { address: ids.ip ?? '', version: 4, is_private: false, country: 'TH' },
    customer: ids.customer_id === undefined ? {} : { id: ids.customer_id }
  }
  if (ids.email !== undefined) features.email = { address: ids.email, domain: 'example.com', is_disposable: false }
  if (ids.card_fingerprint !== undefined) features.card = { fingerprint: ids.card_fingerprint, country: 'TH' }
  const rules = [...(spec.rules ?? [])]
  const degraded = spec.degraded === true ? ['velocity'] : []
  const encoded = encodeRecord({
    chargeId: spec.chargeId,
    atMs: spec.atMs,
    features,
    decision: spec.decision,
    score: 10,
    fired: rules,
    shadow: { decision: spec.decision, score: 10, fired: [] },
    skipped: [],
    degraded
  }, CONTEXT, digestOf)
  return {
    key: keys.ofCharge(spec.chargeId),
    fingerprint: `fp_${spec.chargeId}`,
    nonce: `n_${spec.chargeId}`,
    atMs: spec.atMs,
    encoded,
    context: CONTEXT,
    index: indexEntry(features, spec.decision, rules, degraded.length > 0, digestOf)
  }
}

const T0 = Date.UTC(2026, 10, 21, 10)
const MIN = 60_000
const at = (minutes: number): string => new Date(T0 + minutes * MIN).toISOString()
const write = (label: OutcomeLabel, minutes: number, extra: Partial<DecisionOutcome> = {}, rank = 3, force = true): OutcomeWrite =>
  ({ outcome: outcome(label, { at: at(minutes), ...extra }), rank, force })
const closing = (action: 'approve' | 'reject', minutes: number, actor = 'key:analyst-1'): OutcomeWrite =>
  write(action === 'approve' ? 'review_approved' : 'review_rejected', minutes, { source: 'review', actor }, 1, true)

/** The fixed data set of the table cases: name -> record */
const DATA: ReadonlyArray<Omit<RecordSpec, 'chargeId' | 'atMs'> & { name: string, minute: number }> = [
  { name: 'a', minute: 0, decision: 'allow', ids: { email: 'ann@example.com', ip: '203.0.113.1' } },
  { name: 'b', minute: 10, decision: 'review', rules: ['r1'], ids: { email: 'bob@example.com', ip: '203.0.113.1', card_fingerprint: 'card_fp_1' } },
  { name: 'c', minute: 20, decision: 'block', rules: ['r1', 'r2'], ids: { email: 'ann@example.com', card_fingerprint: 'card_fp_1', customer_id: 'cus_1' }, degraded: true },
  { name: 'd', minute: 30, decision: 'review', rules: ['r2'], ids: { ip: '203.0.113.2', customer_id: 'cus_1' } },
  { name: 'e', minute: 70, decision: 'allow', rules: ['r2'], ids: { email: 'bob@example.com' }, degraded: true },
  { name: 'f', minute: 80, decision: 'review', rules: ['r1', 'r2'], ids: { card_fingerprint: 'card_fp_2' } },
  { name: 'g', minute: 90, decision: 'block', rules: ['r1'], ids: { ip: '203.0.113.1', customer_id: 'cus_2' } },
  { name: 'h', minute: 130, decision: 'review', ids: { email: 'ann@example.com' } }
]

interface Loaded {
  store: DecisionLogStore
  /** decision id -> name */
  names: Map<string, string>
  ids: Map<string, string>
}

/** the data set, with outcomes: c fraud, b's review approved, e legit, f a chargeback (its review stays open) */
async function load (create: CreateSearchLog, t: Test, options: SearchLogOptions = {}): Promise<Loaded> {
  const store = await create(t, options)
  const entries = DATA.map((row) => ({ row, entry: searchEntry(store.keys, { ...row, chargeId: `ch_${row.name}`, atMs: T0 + row.minute * MIN }) }))
  // appended out of time order, in two batches: the order of writes is not the order of a search
  await store.append(entries.filter((_, i) => i % 2 === 1).map((e) => e.entry))
  await store.append(entries.filter((_, i) => i % 2 === 0).map((e) => e.entry))
  const ids = new Map(entries.map(({ row, entry }) => [row.name, entry.key.decisionId]))
  const id = (name: string): string => ids.get(name) as string
  await store.setOutcome(id('c'), write('fraud', 30))
  t.equal((await store.closeReview(id('b'), closing('approve', 90))).status, 'stored')
  await store.setOutcome(id('e'), write('legit', 100, {}, 1, false))
  await store.setOutcome(id('f'), write('chargeback', 150))
  return { store, names: new Map(entries.map(({ row, entry }) => [entry.key.decisionId, row.name])), ids }
}

const namesOf = (loaded: Loaded, records: readonly DecisionRecord[]): string[] => records.map((r) => loaded.names.get(r.decision_id) ?? '?')

async function allPages (read: (cursor: string | undefined) => Promise<Page>): Promise<{ records: DecisionRecord[], pages: Page[] }> {
  const pages: Page[] = []
  let cursor: string | undefined
  for (let n = 0; n < 10_000; n++) {
    const page = await read(cursor)
    pages.push(page)
    if (page.next === undefined) return { records: pages.flatMap((p) => p.records), pages }
    cursor = page.next
  }
  throw new Error('the cursors never end')
}

const identifier = (kind: IdentifierKind, raw: string): SearchQuery['identifier'] => ({ kind, digest: digestOf(raw) })

/** Search, the review queue, outcome history and the overview, run against each implementation. */
export function decisionLogSearchSuite (t: Test, create: CreateSearchLog, { propertyRuns = 25 } = {}): void {
  t.test('search: every filter given holds, newest first', async (t) => {
    const loaded = await load(create, t)
    const cases: Array<[string, Omit<SearchQuery, 'limit'>, string[]]> = [
      ['no filter', {}, ['h', 'g', 'f', 'e', 'd', 'c', 'b', 'a']],
      ['decision', { decision: 'review' }, ['h', 'f', 'd', 'b']],
      ['rule', { rule: 'r1' }, ['g', 'f', 'c', 'b']],
      ['rule and decision', { rule: 'r2', decision: 'allow' }, ['e']],
      ['outcome label', { outcome: 'fraud' }, ['c']],
      ['an outcome kept as latest', { outcome: 'legit' }, ['e']],
      ['a review closed', { outcome: 'review_approved' }, ['b']],
      ['no outcome', { outcome: 'none' }, ['h', 'g', 'd', 'a']],
      ['no outcome and decision', { outcome: 'none', decision: 'review' }, ['h', 'd']],
      ['email', { identifier: identifier(IdentifierKind.EMAIL, 'ann@example.com') }, ['h', 'c', 'a']],
      ['ip', { identifier: identifier(IdentifierKind.IP, '203.0.113.1') }, ['g', 'b', 'a']],
      ['card and decision', { identifier: identifier(IdentifierKind.CARD, 'card_fp_1'), decision: 'block' }, ['c']],
      ['customer', { identifier: identifier(IdentifierKind.CUSTOMER, 'cus_1') }, ['d', 'c']],
      ['a digest of another kind matches nothing', { identifier: identifier(IdentifierKind.CUSTOMER, 'ann@example.com') }, []],
      ['range: from included, to excluded', { range: { from: new Date(T0 + 20 * MIN), to: new Date(T0 + 80 * MIN) } }, ['e', 'd', 'c']],
      ['range and rule', { range: { from: new Date(T0 + 20 * MIN), to: new Date(T0 + 80 * MIN) }, rule: 'r1' }, ['c']],
      ['from alone', { range: { from: new Date(T0 + 80 * MIN) } }, ['h', 'g', 'f']],
      ['to alone and outcome', { range: { to: new Date(T0 + 80 * MIN) }, outcome: 'none' }, ['d', 'a']],
      ['a rule that never fired', { rule: 'r9' }, []],
      ['everything at once', { decision: 'block', rule: 'r1', outcome: 'none', identifier: identifier(IdentifierKind.IP, '203.0.113.1'), range: { from: new Date(T0) } }, ['g']]
    ]
    for (const [name, query, expected] of cases) {
      const page = await loaded.store.search({ ...query, limit: 100 })
      t.same(namesOf(loaded, page.records), expected, name)
      t.equal(page.next, undefined, `${name}: no cursor when nothing more matches`)
    }
  })

  t.test('search: records carry their latest outcome and history, as get does', async (t) => {
    const loaded = await load(create, t)
    const page = await loaded.store.search({ limit: 100 })
    for (const record of page.records) t.same(record, await loaded.store.get(record.decision_id), `${loaded.names.get(record.decision_id) ?? ''} as get answers it`)
    const c = page.records.find((r) => loaded.names.get(r.decision_id) === 'c')
    t.same(c?.outcome, outcome('fraud', { at: at(30) }))
    t.same(c?.outcomes, [outcome('fraud', { at: at(30) })])
    t.equal(page.records.find((r) => loaded.names.get(r.decision_id) === 'a')?.outcomes, undefined, 'no history without an outcome')
  })

  t.test('search: pages by cursor; a cursor belongs to its query', async (t) => {
    const loaded = await load(create, t)
    const { records, pages } = await allPages(async (cursor) => await loaded.store.search({ limit: 3, ...(cursor === undefined ? {} : { cursor }) }))
    t.same(pages.map((p) => namesOf(loaded, p.records)), [['h', 'g', 'f'], ['e', 'd', 'c'], ['b', 'a']])
    t.equal(records.length, 8)
    const first = pages[0]?.next as string
    t.type(first, 'string')
    await t.rejects(loaded.store.search({ limit: 3, cursor: first, decision: 'review' }), InvalidCursorError, 'with another filter')
    await t.rejects(loaded.store.search({ limit: 3, cursor: first, range: { from: new Date(T0) } }), InvalidCursorError, 'with another range')
    await t.rejects(loaded.store.reviews({ status: 'open', limit: 3, cursor: first }), InvalidCursorError, 'in the review queue')
    await t.rejects(loaded.store.search({ limit: 3, cursor: 'bm90LWEtY3Vyc29y' }), InvalidCursorError, 'made up')
    await t.rejects(loaded.store.search({ limit: 3, cursor: '' }), InvalidCursorError, 'empty')
    t.same(namesOf(loaded, (await loaded.store.search({ limit: 5, cursor: first })).records), ['e', 'd', 'c', 'b', 'a'], 'another page size is the same query')
    await t.rejects(loaded.store.search({ limit: 0 }), RangeError)
  })

  t.test('search: a cursor continues where it stopped, whatever is written meanwhile', async (t) => {
    const loaded = await load(create, t)
    const first = await loaded.store.search({ limit: 3 })
    await loaded.store.append([searchEntry(loaded.store.keys, { chargeId: 'ch_newer', atMs: T0 + 200 * MIN, decision: 'allow' })])
    await loaded.store.setOutcome(loaded.ids.get('e') as string, write('fraud', 160))
    const second = await loaded.store.search({ limit: 3, cursor: first.next as string })
    t.same(namesOf(loaded, second.records), ['e', 'd', 'c'], 'a newer record does not shift the pages; an outcome changes no position')
  })

  t.test('search: a page examines a bounded number of candidates, and says where to go on', async (t) => {
    const loaded = await load(create, t, { examineMax: 2 })
    const first = await loaded.store.search({ decision: 'review', rule: 'r1', limit: 10 })
    t.same(namesOf(loaded, first.records), ['f'], 'fewer than the limit')
    t.type(first.next, 'string', 'and a cursor')
    const { records } = await allPages(async (cursor) => await loaded.store.search({ decision: 'review', rule: 'r1', limit: 10, ...(cursor === undefined ? {} : { cursor }) }))
    t.same(namesOf(loaded, records), ['f', 'b'])
  })

  t.test('the review queue: open oldest first, closed most recently closed first', async (t) => {
    const loaded = await load(create, t)
    const { store } = loaded
    const id = (name: string): string => loaded.ids.get(name) as string
    t.same(namesOf(loaded, (await store.reviews({ status: 'open', limit: 100 })).records), ['d', 'f', 'h'], 'a chargeback leaves a review open')
    t.same(namesOf(loaded, (await store.reviews({ status: 'closed', limit: 100 })).records), ['b'])
    await store.closeReview(id('h'), closing('reject', 140))
    t.equal((await store.setOutcome(id('d'), write('review_rejected', 135, { actor: 'key:merchant' }))).status, 'stored', 'a review_* outcome through the API closes it too')
    t.same(namesOf(loaded, (await store.reviews({ status: 'open', limit: 100 })).records), ['f'])
    t.same(namesOf(loaded, (await store.reviews({ status: 'closed', limit: 100 })).records), ['h', 'd', 'b'])
    const { pages } = await allPages(async (cursor) => await store.reviews({ status: 'closed', limit: 2, ...(cursor === undefined ? {} : { cursor }) }))
    t.same(pages.map((p) => namesOf(loaded, p.records)), [['h', 'd'], ['b']])
    await t.rejects(store.reviews({ status: 'open', limit: 2, cursor: pages[0]?.next as string }), InvalidCursorError, 'a closed queue\'s cursor in the open queue')
    const h = (await store.reviews({ status: 'closed', limit: 1 })).records[0]
    t.same(h?.outcome, outcome('review_rejected', { at: at(140), source: 'review', actor: 'key:analyst-1' }))
  })

  t.test('closeReview: atomic, once; not for other decisions or unknown ones', async (t) => {
    const loaded = await load(create, t)
    const { store } = loaded
    const id = (name: string): string => loaded.ids.get(name) as string
    t.same(await store.closeReview(id('a'), closing('approve', 140)), { status: 'not_review' })
    t.same(await store.closeReview(store.keys.ofCharge('ch_unknown').decisionId, closing('approve', 140)), { status: 'unknown' })
    t.same(await store.closeReview('not-a-decision-id', closing('approve', 140)), { status: 'unknown' })
    t.same(await store.closeReview(id('b'), closing('reject', 140, 'key:analyst-2')),
      { status: 'closed', outcome: outcome('review_approved', { at: at(90), source: 'review', actor: 'key:analyst-1' }) }, 'the first close stands')
    // two analysts close the same review at once: one closes it, the other is told how
    const both = await Promise.all([store.closeReview(id('d'), closing('approve', 141, 'key:x')), store.closeReview(id('d'), closing('reject', 141, 'key:y'))])
    t.same(both.map((r) => r.status).sort(), ['closed', 'stored'])
    const d = await store.get(id('d'))
    t.equal(d?.outcomes?.length, 1, 'one close in the history')
    // a stronger outcome stays the latest, but the review is closed all the same
    t.same(await store.closeReview(id('f'), write('review_approved', 160, { source: 'review', actor: 'key:x' }, 1, false)),
      { status: 'kept', outcome: outcome('chargeback', { at: at(150) }) })
    t.same(namesOf(loaded, (await store.reviews({ status: 'open', limit: 100 })).records), ['h'])
    t.same((await store.get(id('f')))?.outcomes?.map((o) => o.label), ['chargeback', 'review_approved'])
    t.same(namesOf(loaded, (await store.search({ outcome: 'chargeback', limit: 10 })).records), ['f'])
  })

  t.test('outcome history: every write, kept ones included, oldest first, at most 50', async (t) => {
    const store = await create(t)
    const e = searchEntry(store.keys, { chargeId: 'ch_history', atMs: T0, decision: 'allow', ids: { email: 'hist@example.com' } })
    await store.append([e])
    const id = e.key.decisionId
    await store.setOutcome(id, write('legit', 1, { source: 'omise', actor: 'omise', event_id: 'evnt_1' }, 1, false))
    await store.setOutcome(id, write('chargeback', 2, { source: 'omise', actor: 'omise' }, 3, false))
    t.equal((await store.setOutcome(id, write('legit', 3, { source: 'omise' }, 1, false))).status, 'kept')
    const record = await store.get(id)
    t.same(record?.outcome, outcome('chargeback', { at: at(2), source: 'omise', actor: 'omise' }))
    t.same(record?.outcomes, [
      outcome('legit', { at: at(1), source: 'omise', actor: 'omise', event_id: 'evnt_1' }),
      outcome('chargeback', { at: at(2), source: 'omise', actor: 'omise' }),
      outcome('legit', { at: at(3), source: 'omise' })
    ])
    const found = await store.lookup(e.key)
    t.same(found.status === 'recorded' ? found.record.outcomes : undefined, record?.outcomes, 'lookup carries it')
    const scanned: DecisionRecord[] = []
    for await (const r of store.scan()) scanned.push(r)
    t.same(scanned[0]?.outcomes, record?.outcomes, 'scan carries it')
    for (let n = 0; n < 55; n++) await store.setOutcome(id, write('refund', 10 + n, { note: `n${n}` }))
    const full = (await store.get(id))?.outcomes ?? []
    t.equal(full.length, MAX_OUTCOME_HISTORY)
    t.equal(full[0]?.note, 'n5', 'the oldest dropped')
    t.equal(full[full.length - 1]?.note, 'n54')
  })

  t.test('outcomes reported while the charge is decided are kept, and may close its review', async (t) => {
    const store = await create(t)
    const e = searchEntry(store.keys, { chargeId: 'ch_pending', atMs: T0, decision: 'review' })
    await store.reserve(e.key, e.fingerprint, e.nonce, 60_000)
    t.same(await store.closeReview(e.key.decisionId, closing('approve', 1)), { status: 'unknown' }, 'not known as a review yet')
    await store.setOutcome(e.key.decisionId, write('fraud', 1))
    await store.setOutcome(e.key.decisionId, write('review_rejected', 2, { source: 'review', actor: 'key:a' }, 2, true))
    await store.append([e])
    const record = await store.get(e.key.decisionId)
    t.same(record?.outcomes?.map((o) => o.label), ['fraud', 'review_rejected'])
    t.same((await store.reviews({ status: 'open', limit: 10 })).records, [])
    t.same((await store.reviews({ status: 'closed', limit: 10 })).records.map((r) => r.decision_id), [e.key.decisionId])
    t.equal((await store.closeReview(e.key.decisionId, closing('approve', 3))).status, 'closed')
    t.same((await store.search({ outcome: 'review_rejected', limit: 10 })).records.map((r) => r.decision_id), [e.key.decisionId])
  })

  t.test('overview: per hour or day, decisions, degraded, outcomes by report time, top rules', async (t) => {
    const loaded = await load(create, t)
    const hourly = await loaded.store.overview({ range: { from: new Date(T0), to: new Date(T0 + 3 * 60 * MIN) }, bucket: 'hour' })
    t.same(hourly.buckets, [
      { start: at(0), decisions: { allow: 1, review: 2, block: 1 }, degraded: 1, outcomes: { fraud: 1 } },
      { start: at(60), decisions: { allow: 1, review: 1, block: 1 }, degraded: 1, outcomes: { review_approved: 1, legit: 1 } },
      { start: at(120), decisions: { allow: 0, review: 1, block: 0 }, degraded: 0, outcomes: { chargeback: 1 } }
    ])
    t.same(hourly.topRules, [{ rule: 'r1', count: 4 }, { rule: 'r2', count: 4 }])
    const second = await loaded.store.overview({ range: { from: new Date(T0 + 60 * MIN), to: new Date(T0 + 120 * MIN) }, bucket: 'hour' })
    t.equal(second.buckets.length, 1)
    t.same(second.topRules, [{ rule: 'r1', count: 2 }, { rule: 'r2', count: 2 }], 'rules fired in the range only')
    const daily = await loaded.store.overview({ range: { from: new Date(T0 - 24 * 60 * MIN), to: new Date(T0 + 24 * 60 * MIN) }, bucket: 'day' })
    t.same(daily.buckets, [
      { start: '2026-11-20T00:00:00.000Z', decisions: { allow: 0, review: 0, block: 0 }, degraded: 0, outcomes: {} },
      { start: '2026-11-21T00:00:00.000Z', decisions: { allow: 2, review: 4, block: 2 }, degraded: 2, outcomes: { fraud: 1, review_approved: 1, legit: 1, chargeback: 1 } },
      { start: '2026-11-22T00:00:00.000Z', decisions: { allow: 0, review: 0, block: 0 }, degraded: 0, outcomes: {} }
    ])
    const empty = await loaded.store.overview({ range: { from: new Date(T0 + 10 * 60 * MIN), to: new Date(T0 + 12 * 60 * MIN) }, bucket: 'hour' })
    t.same(empty, { buckets: [at(600), at(660)].map((start) => ({ start, decisions: { allow: 0, review: 0, block: 0 }, degraded: 0, outcomes: {} })), topRules: [] })
  })

  t.test('overview: the 20 rules that fired most, most first', async (t) => {
    const store = await create(t)
    const rules = Array.from({ length: 25 }, (_, k) => `q${String(k).padStart(2, '0')}`)
    // record n fires q00..q<n>: q<k> fires 25 - k times
    await store.append(rules.map((_, n) => searchEntry(store.keys, { chargeId: `ch_top_${n}`, atMs: T0 + n, decision: 'allow', rules: rules.slice(0, n + 1) })))
    const { topRules } = await store.overview({ range: { from: new Date(T0), to: new Date(T0 + 60 * MIN) }, bucket: 'hour' })
    t.same(topRules, rules.slice(0, 20).map((rule, k) => ({ rule, count: 25 - k })))
  })

  t.test('a record trimmed from the log leaves every search and the queue', async (t) => {
    const store = await create(t, { partitions: 1, maxRecords: 3 })
    const entries = Array.from({ length: 6 }, (_, n) => searchEntry(store.keys, { chargeId: `ch_trim_${n}`, atMs: T0 + n * MIN, decision: 'review', rules: ['r1'], ids: { email: `trim${n % 2}@example.com` } }))
    for (const e of entries) await store.append([e])
    await store.closeReview((entries[5] as AppendEntry).key.decisionId, closing('approve', 10))
    const kept = entries.slice(3).map((e) => e.key.decisionId).reverse()
    t.same((await store.search({ limit: 10 })).records.map((r) => r.decision_id), kept)
    t.same((await store.search({ rule: 'r1', decision: 'review', limit: 10 })).records.map((r) => r.decision_id), kept)
    t.same((await store.search({ identifier: identifier(IdentifierKind.EMAIL, 'trim0@example.com'), limit: 10 })).records.map((r) => r.decision_id),
      [(entries[4] as AppendEntry).key.decisionId])
    t.same((await store.reviews({ status: 'open', limit: 10 })).records.map((r) => r.decision_id), kept.slice(1).reverse())
  })

  t.test('property: a search paged through its cursors is the naive filter of every record', async (t) => {
    const kinds = Object.values(IdentifierKind)
    const labels: OutcomeLabel[] = ['fraud', 'legit', 'chargeback', 'refund', 'review_approved', 'review_rejected']
    const recordArb = fc.record({
      minute: fc.integer({ min: 0, max: 15 }),
      decision: fc.constantFrom<Decision>('allow', 'review', 'block'),
      rules: fc.subarray(['r1', 'r2', 'r3']),
      ids: fc.record({
        email: fc.option(fc.constantFrom('p@example.com', 'q@example.com'), { nil: undefined }),
        ip: fc.option(fc.constantFrom('192.0.2.1', '192.0.2.2'), { nil: undefined }),
        card_fingerprint: fc.option(fc.constantFrom('fp_a', 'fp_b'), { nil: undefined }),
        customer_id: fc.option(fc.constantFrom('cus_a', 'cus_b'), { nil: undefined })
      }),
      labels: fc.array(fc.constantFrom(...labels), { maxLength: 2 })
    })
    const queryArb = fc.record({
      decision: fc.option(fc.constantFrom<Decision>('allow', 'review', 'block'), { nil: undefined }),
      rule: fc.option(fc.constantFrom('r1', 'r2', 'r3', 'r4'), { nil: undefined }),
      outcome: fc.option(fc.constantFrom<OutcomeLabel | 'none'>('none', ...labels), { nil: undefined }),
      from: fc.option(fc.integer({ min: 0, max: 16 }), { nil: undefined }),
      to: fc.option(fc.integer({ min: 0, max: 16 }), { nil: undefined }),
      identifier: fc.option(fc.tuple(fc.constantFrom(...kinds), fc.constantFrom('p@example.com', '192.0.2.1', 'fp_b', 'cus_a')), { nil: undefined }),
      limit: fc.integer({ min: 1, max: 5 })
    })
    let run = 0
    await fc.assert(fc.asyncProperty(fc.array(recordArb, { minLength: 1, maxLength: 25 }), fc.array(queryArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 8 }),
      async (rows, queries, examineMax) => {
        const store = await create(t, { partitions: 2, examineMax })
        run++
        const entries = rows.map((row, n) => searchEntry(store.keys, { chargeId: `ch_p${run}_${n}`, atMs: T0 + row.minute * 1000, decision: row.decision, rules: row.rules, ids: row.ids }))
        await store.append(entries)
        for (const [n, row] of rows.entries()) {
          for (const label of row.labels) await store.setOutcome((entries[n] as AppendEntry).key.decisionId, write(label, 20))
        }
        for (const q of queries) {
          const query: SearchQuery = { limit: q.limit }
          if (q.decision !== undefined) query.decision = q.decision
          if (q.rule !== undefined) query.rule = q.rule
          if (q.outcome !== undefined) query.outcome = q.outcome
          if (q.from !== undefined || q.to !== undefined) {
            query.range = {}
            if (q.from !== undefined) query.range.from = new Date(T0 + q.from * 1000)
            if (q.to !== undefined) query.range.to = new Date(T0 + q.to * 1000)
          }
          if (q.identifier !== undefined) query.identifier = { kind: q.identifier[0], digest: digestOf(q.identifier[1]) }
          const expected = rows.map((row, n) => ({ row, entry: entries[n] as AppendEntry }))
            .filter(({ row }) => {
              const label = row.labels[row.labels.length - 1] ?? 'none'
              const atMs = T0 + row.minute * 1000
              return (q.decision === undefined || row.decision === q.decision) &&
                (q.rule === undefined || row.rules.includes(q.rule)) &&
                (q.outcome === undefined || label === q.outcome) &&
                (q.from === undefined || atMs >= T0 + q.from * 1000) &&
                (q.to === undefined || atMs < T0 + q.to * 1000) &&
                (q.identifier === undefined || row.ids[q.identifier[0]] === q.identifier[1])
            })
            .sort((a, b) => b.row.minute - a.row.minute || (a.entry.key.field < b.entry.key.field ? 1 : -1))
            .map(({ entry }) => entry.key.decisionId)
          const { records, pages } = await allPages(async (cursor) => await store.search({ ...query, ...(cursor === undefined ? {} : { cursor }) }))
          if (pages.some((p) => p.records.length > q.limit)) return false
          const got = records.map((r) => r.decision_id)
          // newest first; one millisecond's records in any order (the memory store orders them by
          // field, Redis's kind and rule indexes by their place in the log: place-entries.ts)
          const msOf = new Map(entries.map((e) => [e.key.decisionId, e.atMs]))
          const newestFirst = got.every((id, k) => k === 0 || (msOf.get(got[k - 1] as string) ?? 0) >= (msOf.get(id) ?? 0))
          if (!newestFirst || JSON.stringify([...got].sort()) !== JSON.stringify([...expected].sort())) {
            t.same(got, expected, `query ${JSON.stringify(query)}`)
            return false
          }
        }
        return true
      }), { numRuns: propertyRuns })
  })
}
