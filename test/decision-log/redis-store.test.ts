import t from 'tap'
import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { createRedisDecisionLog } from '../../src/decision-log/redis-store.js'
import { closeRedis, createRedisClient, waitForRedis } from '../../src/redis/client.js'
import { CONTEXT, decisionLogSuite, digestOf, entry, keysOf, outcome, sampleFeatures, SUITE_HASH_KEY } from '../helpers/decision-log-suite.js'
import { decisionLogSearchSuite, searchEntry } from '../helpers/decision-log-search-suite.js'
import { comparePositions } from '../../src/decision-log/cursor.js'
import { decodeRecord, encodeRecord } from '../../src/decision-log/codec.js'
import { indexEntry } from '../../src/decision-log/index-entry.js'
import { ENTRY_LENGTH } from '../../src/decision-log/text-pages.js'
import { PLACE_ENTRY_LENGTH, PLACE_SEQ_MAX, placeId } from '../../src/decision-log/place-entries.js'
import { IDENTIFIER_CHAR, time13 } from '../../src/decision-log/search-keys.js'
import { IdentifierKind } from '../../src/decision-log/store.js'
import type { AppendEntry } from '../../src/decision-log/store.js'
import { noRawIdentifiersProperty } from '../helpers/decision-log-redis-dump.js'
import { PARTITIONS_TTL_SLACK_MS } from '../../src/decision-log/partition-count.js'
import { pagedAdd } from '../helpers/paged-set-writer.js'
import { connectRedis, externalRedisUrl } from '../helpers/redis.js'
import type { RedisServer } from '../helpers/redis.js'

let server: RedisServer
let client: Redis
t.before(async () => {
  ;({ server, client } = await connectRedis(t))
})

const newPrefix = (): string => `test:${randomUUID()}:`

t.test('shared decision log behaviour', async (t) => {
  decisionLogSuite(t, async (_t, options = {}) => createRedisDecisionLog({
    redis: client,
    hashKey: SUITE_HASH_KEY,
    keys: keysOf(options.partitions ?? 4),
    keyPrefix: newPrefix(),
    scanBatch: 7,
    ...(options.maxRecords !== undefined ? { maxPerPartition: options.maxRecords } : {}),
    ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {})
  }))
})

t.test('search, review queue, outcome history and overview', async (t) => {
  decisionLogSearchSuite(t, async (_t, options = {}) => createRedisDecisionLog({
    redis: client,
    hashKey: SUITE_HASH_KEY,
    keys: keysOf(options.partitions ?? 4),
    keyPrefix: newPrefix(),
    ...(options.maxRecords !== undefined ? { maxPerPartition: options.maxRecords } : {}),
    ...(options.examineMax !== undefined ? { examineMax: options.examineMax } : {}),
    // an identifier with more than three records moves to the sorted set: both layouts are searched
    postingsMax: 3,
    // pages of three members: the kind and rule indexes split into many pages
    pageMax: 3
  }), { propertyRuns: 40 })
})

noRawIdentifiersProperty(t, () => client, 30)

t.test('appends, and the contexts they name, take the writer client; lookups and reads the other', async (t) => {
  const keys = keysOf(4)
  // a client that was closed: any command sent through it fails at once
  const closed = createRedisClient({ url: server.url }) as Redis
  t.ok(await waitForRedis(closed, 5000))
  await closeRedis(closed)
  const keyPrefix = newPrefix()
  const writing = createRedisDecisionLog({ redis: closed, writer: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix })
  const chargeIds = Array.from({ length: 12 }, () => `ch_${randomUUID()}`)
  const entries = chargeIds.map((chargeId, n) => entry(keys, Date.now() + n, { chargeId }))
  t.same(await writing.append(entries), entries.map(() => 'written'), 'written with the answers\' client closed')
  await t.rejects(writing.get((entries[0] as AppendEntry).key.decisionId), 'a lookup takes the other client')

  // the same log, read through a live client: every record is there
  const reading = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix })
  for (const [n, e] of entries.entries()) t.equal((await reading.get(e.key.decisionId))?.charge_id, chargeIds[n])
})

t.test('keys: every key of a partition shares its hash tag; no id or identifier in clear; all with a TTL', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(4)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix, ttlSeconds: 3600 })
  const entries = Array.from({ length: 40 }, () => entry(keys, Date.now()))
  await store.append(entries)
  await store.linkCharge('chrg_test_omise_1', (entries[0] as (typeof entries)[number]).key.decisionId)
  const found = await client.keys(`${prefix}*`)
  const partitionKeys = found.filter((k) => k.startsWith(`${prefix}{p`))
  const suffixes = new Set(partitionKeys.map((k) => k.slice(prefix.length).replace(/^\{p\d\}/, '')))
  t.ok(suffixes.has(':s') && suffixes.has(':i'), 'a stream and an index per partition')
  const unexpected = [...suffixes].filter((s) => !/^:(s|i|ro|R|(E:[arb]|H:r[12])(:\d+\+*)?|V:[eicu]|n:\d+)$/.test(s))
  t.same(unexpected, [], 'and the search indexes (text pages by kind and rule: directories and pages named by a time), counts by kind, rule, identifier digest and hour, and the rule codes: nothing else')
  // the index entries in the stream name their rules by the partition's codes
  for (const p of [0, 1, 2, 3]) {
    const codes = await client.hgetall(`${prefix}{p${p}}:R`)
    t.same(Object.keys(codes).sort(), ['#', '#1', '#2', 'r1', 'r2'], 'two rules, two codes')
    t.same([codes[`#${codes.r1 ?? ''}`], codes[`#${codes.r2 ?? ''}`]], ['r1', 'r2'], 'each code names its rule')
    for (const [, fields] of await client.xrange(`${prefix}{p${p}}:s`, '-', '+')) {
      t.equal(fields[5]?.split('|')[2], `${codes.r1 ?? ''},${codes.r2 ?? ''}`, 'an index entry\'s rules by code', { diagnostic: false })
    }
  }
  t.equal(new Set(partitionKeys.map((k) => /\{p(\d)\}/.exec(k)?.[1])).size, 4, 'the records spread over every partition')
  t.ok(found.includes(`${prefix}ctx`), 'the shared contexts')
  t.equal(await client.get(`${prefix}partitions`), '4', 'the partition count')
  t.equal(found.filter((k) => k.startsWith(`${prefix}a:`)).length, 1, 'one alias, named by a keyed digest')
  for (const key of found) {
    const ttl = await client.pttl(key)
    // the text pages of the kind and rule indexes and their directories: the TTL and a slack of
    // a sixty-fourth of it (an hour at most); the partition count: the TTL and a day
    const most = /:[DGEH]:/.test(key) ? 3600_000 + 3600_000 / 64 : key === `${prefix}partitions` ? 3600_000 + PARTITIONS_TTL_SLACK_MS : 3600_000
    t.ok(ttl > 0 && ttl <= most, `${key.slice(prefix.length)} has a TTL`, { diagnostic: false })
  }
  const everything = found.join(' ')
  t.notOk(entries.some((e) => everything.includes(e.key.decisionId)) || everything.includes('chrg_test_omise_1'), 'no id in clear in a key')
})

t.test('the search indexes hold what the log holds: a trimmed record leaves every one, its identifiers\' too', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(1)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix, maxPerPartition: 3 })
  const entries = Array.from({ length: 20 }, () => entry(keys, Date.now()))
  for (const e of entries) {
    await store.append([e])
    await store.setOutcome(e.key.decisionId, { outcome: outcome('fraud'), rank: 3, force: true })
  }
  const members = async (suffix: string): Promise<number> => await client.zcard(`${prefix}{p0}:${suffix}`)
  t.equal((await textEntries(client, `${prefix}{p0}:`, 'E:r')).length, 3, 'by kind')
  t.equal(await members('ro'), 3, 'open reviews')
  t.equal((await textEntries(client, `${prefix}{p0}:`, 'H:r1')).length, 3, 'by rule')
  t.same(await client.keys(`${prefix}{p0}:[DG]:*`), [], 'no page of field entries: every record has its place')
  t.same(await client.keys(`${prefix}{p0}:[kfKF]:*`), [], 'no kind or rule set of earlier versions')
  t.equal(await members('l:fraud'), 3, 'by label')
  t.equal(await postings(client, `${prefix}{p0}:`), 9, 'by identifier: three each')
  t.equal(await client.hlen(`${prefix}{p0}:h`), 3, 'histories')
  t.equal(await client.hlen(`${prefix}{p0}:o`), 3, 'outcomes')
})

t.test('property: records trimmed several at a time leave every index, outcome, history and close, and nothing more', async (t) => {
  const recordArb = fc.record({
    decision: fc.constantFrom<'allow' | 'review' | 'block'>('allow', 'review', 'review', 'block'),
    rules: fc.subarray(['r1', 'r2', 'r3']),
    ids: fc.record({
      email: fc.option(fc.constantFrom('p@example.com', 'q@example.com', 'r@example.com'), { nil: undefined }),
      ip: fc.option(fc.constantFrom('192.0.2.1', '192.0.2.2'), { nil: undefined }),
      card_fingerprint: fc.option(fc.constantFrom('fp_a', 'fp_b'), { nil: undefined })
    }),
    // after its batch is appended: an outcome, a review's close, or nothing
    then: fc.constantFrom('none', 'none', 'fraud', 'legit', 'close')
  })
  let run = 0
  await fc.assert(fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.array(recordArb, { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 30 }),
    async (max, rows, sizes) => {
      const prefix = newPrefix()
      const keys = keysOf(1)
      // pages of three members and identifiers that move to the sorted set past three: both layouts trimmed
      const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix, maxPerPartition: max, pageMax: 3, postingsMax: 3 })
      run++
      const entries = rows.map((row, n) => searchEntry(keys, { chargeId: `ch_trim_${run}_${n}`, atMs: 1_790_000_000_000 + n * 1000, decision: row.decision, rules: row.rules, ids: row.ids }))
      // the labels a record holds (its latest outcome, whether its review was closed), while it is kept
      const label: Array<string | undefined> = []
      const closed: boolean[] = []
      let at = 0
      for (let b = 0; at < rows.length; b++) {
        const size = sizes[b % sizes.length] as number
        const batch = entries.slice(at, at + size)
        await store.append(batch)
        for (let n = at; n < at + batch.length; n++) {
          const row = rows[n] as (typeof rows)[number]
          const id = (entries[n] as AppendEntry).key.decisionId
          if (row.then === 'fraud' || row.then === 'legit') {
            await store.setOutcome(id, { outcome: outcome(row.then), rank: 3, force: true })
            label[n] = row.then
          } else if (row.then === 'close' && row.decision === 'review') {
            await store.closeReview(id, { outcome: outcome('review_approved', { source: 'review', actor: 'key:analyst-1' }), rank: 1, force: true })
            label[n] = 'review_approved'
            closed[n] = true
          }
        }
        at += batch.length
      }
      // every call trims what passed the bound (at most two more than it added): the newest max are kept
      const kept = rows.map((row, n) => ({ row, n })).slice(-max)
      const p = `${prefix}{p0}:`
      const stream = await client.xrange(`${p}s`, '-', '+')
      const fieldOf = new Map<number, string>()
      stream.forEach(([, fields], j) => fieldOf.set((kept[j] as (typeof kept)[number]).n, fields[1] as string))
      t.equal(stream.length, kept.length, 'the newest records in the stream', { diagnostic: false })
      const sorted = (list: string[]): string[] => [...list].sort()
      const fields = (pick: (k: (typeof kept)[number]) => boolean): string[] => sorted(kept.filter(pick).map((k) => fieldOf.get(k.n) as string))
      const pages = async (suffix: string): Promise<string[]> => sorted(await textEntries(client, p, suffix))
      for (const kind of ['allow', 'review', 'block'] as const) {
        t.same(await pages(`E:${kind.charAt(0)}`), fields((k) => k.row.decision === kind), `by kind: ${kind}`, { diagnostic: false })
      }
      for (const rule of ['r1', 'r2', 'r3']) {
        t.same(await pages(`H:${rule}`), fields((k) => k.row.rules.includes(rule)), `by rule: ${rule}`, { diagnostic: false })
      }
      t.same(sorted(await client.zrange(`${p}ro`, '0', '-1')), fields((k) => k.row.decision === 'review' && closed[k.n] !== true), 'open reviews', { diagnostic: false })
      t.same(sorted(await client.zrange(`${p}rc`, '0', '-1')), fields((k) => closed[k.n] === true), 'closed reviews', { diagnostic: false })
      for (const l of ['fraud', 'legit', 'review_approved']) {
        t.same(sorted(await client.zrange(`${p}l:${l}`, '0', '-1')), fields((k) => label[k.n] === l), `by label: ${l}`, { diagnostic: false })
      }
      t.same(sorted(await client.hkeys(`${p}i`)), fields(() => true), 'the index', { diagnostic: false })
      t.same(sorted(await client.hkeys(`${p}o`)), fields((k) => label[k.n] !== undefined), 'outcomes', { diagnostic: false })
      t.same(sorted(await client.hkeys(`${p}h`)), fields((k) => label[k.n] !== undefined), 'histories', { diagnostic: false })
      t.same(sorted(await client.hkeys(`${p}c`)), fields((k) => closed[k.n] === true), 'closes', { diagnostic: false })
      const identifiers = kept.flatMap((k) => Object.entries(k.row.ids).filter(([, v]) => v !== undefined).map(([kind]) => kind))
      t.equal(await postings(client, p), identifiers.length, 'an identifier entry per identifier kept', { diagnostic: false })
      let digests = 0
      for (const kind of Object.values(IDENTIFIER_CHAR)) digests += await client.hlen(`${p}U:${kind}`) + await client.hlen(`${p}V:${kind}`)
      const distinct = new Set(kept.flatMap((k) => Object.entries(k.row.ids).filter(([, v]) => v !== undefined).map(([kind, v]) => `${kind}:${v as string}`)))
      t.equal(digests, distinct.size, 'an identifier with no record kept has no field left', { diagnostic: false })
    }), { numRuns: 40 })
})

/**
 * The decision fields of a text-paged index's entries, every page named in its directory, in
 * order: a directory of place entries (E:, H:) gives its records' fields, read through the stream
 * (`gone:<entry>` for a place whose record is not there), one of field entries (D:, G:) its fields.
 */
async function textEntries (client: Redis, partitionPrefix: string, directory: string): Promise<string[]> {
  const places = /^[EH]:/.test(directory)
  const length = places ? PLACE_ENTRY_LENGTH : ENTRY_LENGTH
  const out: string[] = []
  for (const page of await client.zrange(partitionPrefix + directory, '0', '-1')) {
    const v = await client.get(`${partitionPrefix}${directory}:${page}`) ?? ''
    for (let j = 0; j < v.length; j += length) {
      const member = v.slice(j + 13, j + length)
      if (!places) {
        out.push(member)
        continue
      }
      const id = placeId(Number(v.slice(j, j + 13)), member) ?? ''
      const [found] = await client.xrange(`${partitionPrefix}s`, id, id)
      out.push(found?.[1][1] ?? `gone:${v.slice(j, j + length)}`)
    }
  }
  return out
}

/** identifier postings of a partition: the entries of its U: and V: hashes and the members of its u: sorted sets */
async function postings (client: Redis, partitionPrefix: string): Promise<number> {
  let n = 0
  for (const kind of Object.values(IDENTIFIER_CHAR)) {
    for (const value of Object.values(await client.hgetall(`${partitionPrefix}U:${kind}`))) n += value === '*' ? 0 : value.length / ENTRY_LENGTH
    for (const value of Object.values(await client.hgetall(`${partitionPrefix}V:${kind}`))) n += value === '*' ? 0 : value.length / PLACE_ENTRY_LENGTH
    n += await client.zcard(`${partitionPrefix}u:${kind}`)
  }
  return n
}

t.test('kind and rule indexes: text pages, read with the paged and plain sorted sets of earlier versions until those are trimmed', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(1)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix, pageMax: 3, maxPerPartition: 14 })
  const p0 = `${prefix}{p0}:`
  const T = Date.UTC(2026, 10, 21, 12)
  const search = async (query: { rule?: string, decision?: 'review' }): Promise<string[]> => {
    const found: string[] = []
    let cursor: string | undefined
    do {
      const page = await store.search({ ...query, limit: 2, ...(cursor === undefined ? {} : { cursor }) })
      found.push(...page.records.map((r) => r.decision_id))
      cursor = page.next
    } while (cursor !== undefined)
    return found
  }
  const newestFirst = (list: AppendEntry[]): string[] => [...list].sort((a, b) => comparePositions({ ms: b.atMs, field: b.key.field }, { ms: a.atMs, field: a.key.field })).map((e) => e.key.decisionId)

  // records of two earlier versions: their index entries in the plain sorted sets (old), and in
  // paged sets (mid, as test/helpers/paged-set-writer.ts writes them)
  const old = Array.from({ length: 4 }, (_, n) => searchEntry(keys, { chargeId: `old_${n}`, atMs: T + n * 2000, decision: 'review', rules: ['r1'] }))
  const mid = Array.from({ length: 3 }, (_, n) => searchEntry(keys, { chargeId: `mid_${n}`, atMs: T + n * 2000 + 1250, decision: 'review', rules: ['r1'] }))
  await store.append(old)
  await store.append(mid)
  // the old index entries as that version wrote them: the hour after the time, the rules by name;
  // the mid ones without the mark of a record indexed by its place ('~' after the time)
  const written = await client.xrange(`${p0}s`, '-', '+')
  await client.del(`${p0}s`)
  for (const [n, [id, fields]] of written.entries()) {
    const [marked, ids, codes] = (fields[5] ?? '').split('|') as [string, string, string]
    t.equal(codes, await client.hget(`${p0}R`, 'r1'), 'written now: the rule by its code')
    t.equal(marked.slice(-1), '~', 'written now: indexed by its place')
    // without its time when written at its own time: its stream id's
    const head = marked.length === 3 ? `${marked.slice(0, 2)}${time13(Number(id.split('-')[0]))}` : marked.slice(0, 15)
    const hour = Math.floor(Number(head.slice(2, 15)) / 3_600_000)
    await client.xadd(`${p0}s`, id, 'd', fields[1] ?? '', 'r', fields[3] ?? '', 'x', n < old.length ? `${head}${hour}|${ids}|r1` : `${head}|${ids}|${codes}`)
  }
  for (const d of ['E:r', 'H:r1']) {
    for (const page of await client.zrange(p0 + d, '0', '-1')) await client.del(`${p0}${d}:${page}`)
    await client.del(p0 + d)
  }
  for (const e of old) {
    await client.zadd(`${p0}k:r`, e.atMs, e.key.field)
    await client.zadd(`${p0}f:r1`, e.atMs, e.key.field)
  }
  for (const d of ['K:r', 'F:r1']) await pagedAdd.run(client, [p0 + d], [2, 60_000, ...mid.flatMap((e) => [e.atMs, e.key.field])])
  t.ok((await client.zcard(`${p0}F:r1`)) >= 2, 'the mid records in paged sets of two pages or more')
  // and new ones between and after them, in text pages
  const fresh = Array.from({ length: 7 }, (_, n) => searchEntry(keys, { chargeId: `new_${n}`, atMs: T + n * 1000 + 500, decision: 'review', rules: ['r1'] }))
  await store.append(fresh.slice(0, 3))
  await store.append(fresh.slice(3))
  t.ok((await client.zcard(`${p0}H:r1`)) >= 2, 'the new records in text pages of three (or more, the same time in one page)')
  t.same(await search({ rule: 'r1' }), newestFirst([...old, ...mid, ...fresh]), 'by rule: the three, merged in order, through cursors')
  t.same(await search({ decision: 'review' }), newestFirst([...old, ...mid, ...fresh]), 'by kind: the same')

  // an outcome finds the kind and time of either (a review closed leaves the open reviews)
  t.equal((await store.closeReview(old[1]?.key.decisionId ?? '', { outcome: outcome('review_approved', { source: 'review', actor: 'key:a' }), rank: 1, force: true })).status, 'stored', 'an old record\'s review closed')
  t.equal((await store.closeReview(fresh[1]?.key.decisionId ?? '', { outcome: outcome('review_approved', { source: 'review', actor: 'key:a' }), rank: 1, force: true })).status, 'stored', 'a new one\'s')
  t.equal(await client.zscore(`${p0}l:review_approved`, old[1]?.key.field ?? ''), String(old[1]?.atMs), 'labelled at its decision time')
  t.equal(await client.zscore(`${p0}l:review_approved`, fresh[1]?.key.field ?? ''), String(fresh[1]?.atMs), 'labelled at its decision time')

  for (const e of [old[1], fresh[1]]) {
    t.not(await client.zscore(`${p0}rc`, e?.key.field ?? ''), null, 'among the closed reviews')
    t.equal(await client.zscore(`${p0}ro`, e?.key.field ?? ''), null, 'no longer open')
  }

  // trimming: the old and mid records go first (14 kept of 21), and the sets of earlier versions with them
  const later = Array.from({ length: 7 }, (_, n) => searchEntry(keys, { chargeId: `later_${n}`, atMs: T + 60_000 + n, decision: 'review', rules: ['r1'] }))
  await store.append(later)
  t.equal(await client.exists(`${p0}k:r`, `${p0}f:r1`, `${p0}K:r`, `${p0}F:r1`), 0, 'the plain and paged sets are gone with their last member')
  t.same(await client.keys(`${p0}[KF]:*`), [], 'and the pages')
  t.same(await search({ rule: 'r1' }), newestFirst([...fresh, ...later]), 'the pages hold the rest')
})

t.test('place entries: one millisecond\'s records in every partition, late ones among them, page by page: each once', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(4)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix, pageMax: 3, postingsMax: 3 })
  const T = Date.UTC(2026, 10, 21, 12)
  // 24 records of one millisecond, then 8 of the next, then 12 more of the first (late: behind a
  // newer record of their partition, so written at the call's time)
  // (one shopper's, whose identifier is busy past three records: its hash field and its sorted set)
  const ids = { email: 'same@example.com' }
  const first = Array.from({ length: 24 }, (_, n) => searchEntry(keys, { chargeId: `same_${n}`, atMs: T, decision: 'review', rules: ['r1'], ids }))
  const next = Array.from({ length: 8 }, (_, n) => searchEntry(keys, { chargeId: `next_${n}`, atMs: T + 1, decision: 'review', rules: ['r1'], ids }))
  const late = Array.from({ length: 12 }, (_, n) => searchEntry(keys, { chargeId: `late_${n}`, atMs: T, decision: 'review', rules: ['r1'], ids }))
  await store.append(first)
  await store.append(next)
  await store.append(late)
  const idsOf = (list: AppendEntry[]): string[] => list.map((e) => e.key.decisionId).sort()
  for (const query of [{ rule: 'r1' }, { decision: 'review' as const }, { identifier: { kind: IdentifierKind.EMAIL, digest: digestOf(ids.email) } }]) {
    for (const limit of [1, 5]) {
      const found: string[] = []
      let cursor: string | undefined
      do {
        const page = await store.search({ ...query, limit, ...(cursor === undefined ? {} : { cursor }) })
        found.push(...page.records.map((r) => r.decision_id))
        cursor = page.next
      } while (cursor !== undefined)
      t.same(found.slice(0, 8).sort(), idsOf(next), `${JSON.stringify(query)}, ${limit} a page: the newer millisecond first`)
      t.same(found.slice(8).sort(), idsOf([...first, ...late]), 'then every record of the first, each once')
    }
  }
})

t.test('a record\'s index entry in the stream: without its time when written at its own time; with it when late, by its place, and when its place does not fit (years late), by its field; each found, reviews closed, trimmed', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(1)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix, maxPerPartition: 3, ttlSeconds: 10 * 365 * 86_400 })
  const p0 = `${prefix}{p0}:`
  const now = Date.now()
  const recent = searchEntry(keys, { chargeId: 'recent', atMs: now, decision: 'review', rules: ['r1'] })
  const ancient = searchEntry(keys, { chargeId: 'ancient', atMs: now - 3 * 365 * 86_400_000, decision: 'review', rules: ['r1'] })
  // and one a minute late: behind the recent one in the stream, indexed by its place
  const late = searchEntry(keys, { chargeId: 'late', atMs: now - 60_000, decision: 'review', rules: ['r1'] })
  await store.append([recent])
  await store.append([ancient])
  await store.append([late])
  const [first, second, third] = await client.xrange(`${p0}s`, '-', '+')
  t.match(first?.[1][5], /^r0~\|/, 'a record written at its own time: its index entry without the time (its stream id\'s)')
  t.notOk(second?.[1][5]?.includes('~'), 'its index entry without the mark of a place')
  t.equal(second?.[1][5]?.slice(0, 16), `r0${time13(ancient.atMs)}|`, 'and with its time')
  t.equal(third?.[1][5]?.slice(0, 17), `r0${time13(late.atMs)}~|`, 'a late record: its time, and the mark of its place')
  t.same(await textEntries(client, p0, 'H:r1'), [late.key.field, recent.key.field], 'the late one by its place')
  await store.closeReview(late.key.decisionId, { outcome: outcome('review_approved', { source: 'review', actor: 'key:a' }), rank: 1, force: true })
  await store.closeReview(recent.key.decisionId, { outcome: outcome('review_approved', { source: 'review', actor: 'key:a' }), rank: 1, force: true })
  t.same((await store.reviews({ status: 'closed', limit: 10 })).records.map((r) => r.decision_id).sort(), [recent.key.decisionId, late.key.decisionId].sort(), 'reviews closed, whichever form of index entry')
  t.same((await store.reviews({ status: 'open', limit: 10 })).records.map((r) => r.decision_id), [ancient.key.decisionId], 'the other open')
  t.same(await textEntries(client, p0, 'G:r1'), [ancient.key.field], 'in the rule\'s pages of field entries')
  t.same(await textEntries(client, p0, 'D:r'), [ancient.key.field], 'and the kind\'s')
  for (const query of [{ rule: 'r1' }, { decision: 'review' as const }]) {
    t.same((await store.search({ ...query, limit: 10 })).records.map((r) => r.decision_id), [recent.key.decisionId, late.key.decisionId, ancient.key.decisionId], `${JSON.stringify(query)}: the three, newest first`)
  }
  // three more: the three go (the bound is three), with every entry
  await store.append(Array.from({ length: 3 }, (_, n) => searchEntry(keys, { chargeId: `more_${n}`, atMs: now + 1 + n, decision: 'allow' })))
  t.equal(await client.exists(`${p0}G:r1`, `${p0}D:r`, `${p0}H:r1`, `${p0}E:r`), 0, 'their directories are gone with them')
  t.same(await client.keys(`${p0}[DGHE]:r*`), [], 'and their pages')
  t.equal(await client.exists(`${p0}rc`, `${p0}ro`, `${p0}c`), 0, 'and their reviews')
})

t.test('a record in packed text of any text and numbers (lone surrogates, every script, control characters) reads back from Redis as it was encoded', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(2)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix })
  const text = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 80 })
  const value = fc.oneof(text, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), fc.boolean())
  let n = 0
  await fc.assert(fc.asyncProperty(text, fc.dictionary(text, value, { maxKeys: 6 }), fc.integer({ min: 0, max: 2 ** 40 }), async (description, metadata, amount) => {
    n++
    const chargeId = `packed_${n}`
    const atMs = Date.now()
    const features = { ...sampleFeatures(n), amount, description, metadata }
    const input = { chargeId, atMs, features, decision: 'allow' as const, score: 5, fired: [], shadow: { decision: 'allow' as const, score: 5, fired: [] }, skipped: [], degraded: [] }
    const encoded = encodeRecord(input, CONTEXT, digestOf)
    const index = indexEntry(features, 'allow', [], false, digestOf)
    const key = keys.ofCharge(chargeId)
    t.same(await store.append([{ key, fingerprint: `fp_${n}`, nonce: `nonce_${n}`, atMs, encoded, context: CONTEXT, index }]), ['written'], { diagnostic: false })
    const read = await store.get(key.decisionId)
    t.same(read, decodeRecord(encoded, key.decisionId, CONTEXT, index.identifiers), 'the same record', { diagnostic: false })
  }), { numRuns: 150 })
})

t.test('the 4,097th record of one millisecond in a partition is indexed by its field (those after it come late, by their place): each found once', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(1)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix })
  const p0 = `${prefix}{p0}:`
  const T = Date.now()
  const entries = Array.from({ length: PLACE_SEQ_MAX + 5 }, (_, n) => searchEntry(keys, { chargeId: `ms_${n}`, atMs: T, decision: 'block', rules: ['r1'] }))
  for (let at = 0; at < entries.length; at += 200) t.notOk((await store.append(entries.slice(at, at + 200))).some((r) => r !== 'written'), 'written', { diagnostic: false })
  const fields = entries.map((e) => e.key.field)
  t.same(await textEntries(client, p0, 'G:r1'), [fields[PLACE_SEQ_MAX + 1]], 'the 4,097th by its field (written again at the time of the call)')
  t.same((await textEntries(client, p0, 'H:r1')).sort(), fields.filter((_, n) => n !== PLACE_SEQ_MAX + 1).sort(), 'the others by their place')
  t.equal(await client.xlen(`${p0}s`), entries.length, 'each once in the stream')
  const found: string[] = []
  let cursor: string | undefined
  do {
    const page = await store.search({ rule: 'r1', limit: 500, ...(cursor === undefined ? {} : { cursor }) })
    found.push(...page.records.map((r) => r.decision_id))
    cursor = page.next
  } while (cursor !== undefined)
  t.same(found.sort(), entries.map((e) => e.key.decisionId).sort(), 'a search finds each once')
})

t.test('identifier postings: a hash field, the sorted set past postingsMax, and the sorted set of earlier versions', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(1)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix, postingsMax: 4, maxPerPartition: 10 })
  const p0 = `${prefix}{p0}:`
  const hash = `${p0}V:e`
  const set = `${p0}u:e`
  const T = Date.UTC(2026, 10, 21, 12)
  const at = (n: number): number => T + (n % 3) * 1000 + Math.floor(n / 3) * 60_000
  const digest = digestOf('busy@example.com')
  const search = async (d: string): Promise<string[]> => {
    const found: string[] = []
    let cursor: string | undefined
    do {
      const page = await store.search({ identifier: { kind: IdentifierKind.EMAIL, digest: d }, limit: 2, ...(cursor === undefined ? {} : { cursor }) })
      found.push(...page.records.map((r) => r.decision_id))
      cursor = page.next
    } while (cursor !== undefined)
    return found
  }

  // the layout of earlier versions: a digest's field entries in the sorted set only, the record's
  // index entry in the stream without the mark of a place
  const legacy = searchEntry(keys, { chargeId: 'legacy', atMs: T - 60_000, decision: 'allow', ids: { email: 'old@example.com' } })
  await store.append([legacy])
  const oldDigest = digestOf('old@example.com')
  const placeEntry = (await client.hget(hash, oldDigest)) ?? ''
  t.equal(placeEntry.length, PLACE_ENTRY_LENGTH, 'one place entry in its hash field')
  await client.hdel(hash, oldDigest)
  const oldEntry = `${placeEntry.slice(0, 13)}${legacy.key.field}`
  await client.zadd(set, 0, `${oldDigest}:${oldEntry}`)
  const [[id, fields] = ['', []]] = await client.xrange(`${p0}s`, '-', '+')
  await client.del(`${p0}s`)
  const x = fields[5] ?? ''
  await client.xadd(`${p0}s`, id, 'd', fields[1] ?? '', 'r', fields[3] ?? '', 'x', `${x.slice(0, 2)}${time13(legacy.atMs)}${x.slice(3)}`)
  t.same(await search(oldDigest), [legacy.key.decisionId], 'found in the sorted set')

  // appended out of time order, one or several a call
  const busy = Array.from({ length: 9 }, (_, n) => searchEntry(keys, { chargeId: `busy_${n}`, atMs: at(n), decision: 'allow', ids: { email: 'busy@example.com' } }))
  const newestFirst = (list: AppendEntry[]): string[] => [...list].sort((a, b) => comparePositions({ ms: b.atMs, field: b.key.field }, { ms: a.atMs, field: a.key.field })).map((e) => e.key.decisionId)
  const at4 = [busy[2], busy[0], busy[1], busy[3]] as AppendEntry[]
  await store.append(at4.slice(0, 2))
  await store.append(at4.slice(2))
  t.equal(((await client.hget(hash, digest)) ?? '').length, 4 * PLACE_ENTRY_LENGTH, 'four entries in the hash field')
  t.same(await search(digest), newestFirst(at4), 'newest first, through cursors')
  await store.append(busy.slice(4, 5))
  t.equal(await client.hget(hash, digest), '*', 'a fifth: the field says the entries moved')
  t.equal((await client.zrangebylex(set, `[${digest}:`, `(${digest};`)).length, 5, 'to the sorted set')
  t.same(await search(digest), newestFirst(busy.slice(0, 5)), 'in the same order')
  await store.append(busy.slice(5))
  t.same(await search(digest), newestFirst(busy), 'and the later ones')
  t.equal(await client.hget(hash, digest), '*', 'which go to the sorted set too')
  t.equal((await client.zrangebylex(set, `[${digest}:`, `(${digest};`)).length, 9)

  // trimming (at most 10 records): the oldest leave the postings, and a digest with none left goes
  const others = Array.from({ length: 10 }, (_, n) => searchEntry(keys, { chargeId: `other_${n}`, atMs: at(20 + n), decision: 'allow', ids: { email: 'other@example.com' } }))
  await store.append(others.slice(0, 1))
  t.same(await search(oldDigest), [], 'the legacy record trimmed first')
  t.equal(await client.zscore(set, `${oldDigest}:${oldEntry}`), null, 'its entry left the sorted set')
  t.equal(await postings(client, `${prefix}{p0}:`), 10, 'one posting per record kept')
  await store.append(others.slice(1))
  t.same(await search(digest), [], 'every busy record trimmed')
  t.equal(await client.hget(hash, digest), null, 'its field is gone')
  t.same(await client.zrangebylex(set, `[${digest}:`, `(${digest};`), [], 'and its sorted-set entries')
  t.equal(await postings(client, `${prefix}{p0}:`), 10, 'one posting per record kept')
  t.same(await search(digestOf('other@example.com')), newestFirst(others))
})

t.test('a reservation is an entry of the partition\'s index until its record replaces it', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(2)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix })
  const e = entry(keys, Date.now())
  const before = Date.now()
  await store.reserve(e.key, e.fingerprint, e.nonce, 30_000)
  const index = `${prefix}{p${e.key.partition}}:i`
  const held = await client.hget(index, e.key.field)
  const match = /^P\|([^|]+)\|([^|]+)\|(\d+)$/.exec(held ?? '')
  t.ok(match, `held: ${held}`)
  t.equal(match?.[1], e.fingerprint)
  t.equal(match?.[2], e.nonce)
  const until = Number(match?.[3])
  t.ok(until >= before + 30_000 && until <= Date.now() + 30_000, 'held for the reservation time')
  await store.append([e])
  t.match(await client.hget(index, e.key.field), new RegExp(`^${e.fingerprint}\\|\\d+-\\d+$`), 'replaced by the record\'s place')
})

t.test('a lapsed reservation no longer holds: the next attempt takes it over', async (t) => {
  const keys = keysOf(1)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: newPrefix() })
  const e = entry(keys, Date.now())
  t.same(await store.reserve(e.key, e.fingerprint, 'first', 0), { status: 'reserved' }, 'held for no time at all')
  t.same(await store.lookup(e.key), { status: 'none' })
  t.same(await store.reserve(e.key, e.fingerprint, 'second', 60_000), { status: 'reserved' }, 'taken over')
  t.same(await store.append([{ ...e, nonce: 'first' }]), ['superseded'], 'the first attempt\'s record does not land over the second\'s reservation')
  t.same(await store.append([{ ...e, nonce: 'second' }]), ['written'])
})

t.test('a record older than the stream top (another instance\'s clock was ahead) is still written and scanned', async (t) => {
  const keys = keysOf(1)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: newPrefix() })
  const now = Date.now()
  const late = entry(keys, now + 2000)
  const early = entry(keys, now)
  await store.append([late])
  await store.append([early])
  t.equal((await store.get(early.key.decisionId))?.at, new Date(now).toISOString())
  const scanned = []
  for await (const record of store.scan({ from: new Date(now), to: new Date(now + 1) })) scanned.push(record.decision_id)
  t.same(scanned, [early.key.decisionId])
})

t.test('a resent batch changes nothing: same stream length, same index', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(1)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix })
  const batch = Array.from({ length: 50 }, () => entry(keys, Date.now()))
  t.ok((await store.append(batch)).every((r) => r === 'written'))
  t.ok((await store.append(batch)).every((r) => r === 'duplicate'))
  t.equal(await client.xlen(`${prefix}{p0}:s`), 50)
  t.equal(await client.hlen(`${prefix}{p0}:i`), 50)
})

t.test('a record whose context is not known decodes with the rule set and data versions unknown', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(1)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix })
  const e = entry(keys, Date.now())
  await store.append([e])
  await client.del(`${prefix}ctx`)
  const fresh = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix })
  const record = await fresh.get(e.key.decisionId)
  t.same(record?.ruleset, { version: 'unknown', hash: 'unknown' })
  t.equal(record?.decision, 'review', 'what was decided is still there')
})

t.test('two stores with different hash keys do not find each other\'s charges', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(1)
  const e = entry(keys, Date.now(), { chargeId: 'ch_shared_name' })
  await createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix }).append([e])
  const otherKey = 'another-hash-key-0123456789abcdef'
  const other = createRedisDecisionLog({ redis: client, hashKey: otherKey, keys: (await import('../../src/idempotency/decision-key.js')).createDecisionKeys(otherKey, 1), keyPrefix: prefix })
  t.equal(await other.findByChargeId('ch_shared_name'), undefined)
})

t.test('Redis down: every call rejects (the outbox retries), nothing hangs', { skip: externalRedisUrl() !== undefined && 'needs a redis-server of its own' }, async (t) => {
  const keys = keysOf(1)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: newPrefix() })
  await server.kill()
  t.teardown(async () => {
    await server.restart()
    await waitForRedis(client, 5000)
  })
  await t.rejects(store.append([entry(keys, Date.now())]))
  await t.rejects(store.get(keys.ofCharge('x').decisionId))
})

t.test('options are checked', async (t) => {
  t.throws(() => createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys: keysOf(1), maxPerPartition: 0 }), RangeError)
  t.throws(() => createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys: keysOf(1), keyPrefix: 'bad{prefix' }))
})
