import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { PLACE_ENTRY_LENGTH, PLACE_LUA } from '../../src/decision-log/place-entries.js'
import { ENTRY_LENGTH, TEXT_PAGED_LUA } from '../../src/decision-log/text-pages.js'
import { createLuaScript } from '../../src/redis/lua-script.js'
import { readQuery, readsAsModel } from '../helpers/ordered-reads.js'
import { connectRedis } from '../helpers/redis.js'

/**
 * The text-page functions of one kind of entry: field entries (35 characters, text-pages.ts) or
 * place entries (21, place-entries.ts: the same functions, generated with other lengths, named
 * with `_p`).
 */
function pageScripts (length: number, s: string): { add: ReturnType<typeof createLuaScript>, addNewest: ReturnType<typeof createLuaScript>, remove: ReturnType<typeof createLuaScript>, read: ReturnType<typeof createLuaScript> } {
  const lua = s === '' ? TEXT_PAGED_LUA : `${TEXT_PAGED_LUA}${PLACE_LUA}`
  return {
    // KEYS: the directory. ARGV: page max (entries), TTL ms, then entries (put in order here, as the
    // append does, each once); the time now is the newest entry's
    add: createLuaScript(addLua(lua, length, s, 'false')),
    // the same, with entries that sort after every entry the directory holds, told so (newest)
    addNewest: createLuaScript(addLua(lua, length, s, 'true')),
    // KEYS: the directory. ARGV: entries
    remove: createLuaScript(`${lua}
local nums = {}
for j = 1, #ARGV do nums[j] = tonumber(string.sub(ARGV[j], 1, 13)) end
text_remove${s}(KEYS[1], ARGV, nums)
return 1`),
    // KEYS: the directory. ARGV: direction, bound, position ms, position member, count, and the
    // text that follows each member read (none when absent)
    read: createLuaScript(`${lua}
local members, done = text_read${s}(KEYS[1], ARGV[1] == 'd', ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6])
return {done and 1 or 0, members}`)
  }
}

function addLua (lua: string, length: number, s: string, newest: string): string {
  return `${lua}
local list = {}
for j = 3, #ARGV do
  local e = ARGV[j]
  local en = tonumber(string.sub(e, 1, 13))
  local k = #list
  while k >= 1 and entry_before_at${s}(e, en, list[k], 1) do k = k - 1 end
  if k < 1 or list[k] ~= e then table.insert(list, k + 1, e) end
end
local ttl, young = text_ttl(ARGV[2], tonumber(string.sub(list[#list], 1, 13)))
text_add${s}(KEYS[1], list, tonumber(string.sub(list[1], 1, 13)), tonumber(ARGV[1]) * ${length}, ttl, young, ${newest})
return 1`
}
const { add } = pageScripts(ENTRY_LENGTH, '')

interface Entry { ms: number, field: string }
const text = (e: Entry): string => `${String(e.ms).padStart(13, '0')}${e.field}`
/** the layouts: field entries, and place entries (whose members a read follows with a partition's code) */
const LAYOUTS = [
  { name: 'field entries', length: ENTRY_LENGTH, s: '', sfx: '' },
  { name: 'place entries', length: PLACE_ENTRY_LENGTH, s: '_p', sfx: '-7' }
] as const
const compare = (a: Entry, b: Entry): number => a.ms !== b.ms ? a.ms - b.ms : a.field < b.field ? -1 : a.field > b.field ? 1 : 0
const same = (a: Entry, b: Entry): boolean => a.ms === b.ms && a.field === b.field

const T0 = 1_764_000_000_000
// few distinct times, so that many entries share one; members of the layout's length (22
// characters, as the log's fields, or 8 as its places), with short distinct stems (padded with a
// character none of them holds: distinct stems stay distinct)
const entryArb = (width: number): fc.Arbitrary<Entry> => fc.record({
  ms: fc.integer({ min: 0, max: 40 }).map((n) => T0 + n),
  field: fc.stringMatching(/^[A-Za-z0-9_-]{1,3}$/).map((stem) => stem.padEnd(width, '.'))
})
const opOf = (entryArb: fc.Arbitrary<Entry>) => fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), entries: fc.array(entryArb, { minLength: 1, maxLength: 12 }) }) },
  // records arrive nearly in time order: batches after everything added, the usual case; half of
  // them told newest (added without the last entry read): those that sort after every one held
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), newest: fc.boolean(), entries: fc.array(fc.record({ step: fc.integer({ min: 0, max: 3 }), field: entryArb.map((e) => e.field) }), { minLength: 1, maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }) }) }
)
// appends take times past 40
const query = readQuery(T0, 88)

for (const layout of LAYOUTS) {
  t.test(`property (${layout.name}): text pages read as one ordered list would, whatever is added and removed in whatever order`, async (t) => {
    const { client } = await connectRedis(t)
    const { add, addNewest, remove, read } = pageScripts(layout.length, layout.s)
    const ENTRY_LENGTH = layout.length
    const op = opOf(entryArb(layout.length - 13))
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(op, { minLength: 1, maxLength: 14 }), fc.array(query, { minLength: 1, maxLength: 6 }), async (pageMax, ops, queries) => {
      const d = `test:text:${randomUUID()}:{x}:G:r`
      let model: Entry[] = []
      for (const o of ops) {
        if (o.kind === 'remove') {
          if (model.length === 0) continue
          const gone = o.picks.map((p) => model[p % model.length] as Entry)
          await remove.run(client, [d], gone.map(text))
          model = model.filter((n) => !gone.some((g) => same(g, n)))
          continue
        }
        let entries: Entry[]
        if (o.kind === 'add') {
          entries = o.entries
        } else {
          let ms = model.reduce((max, e) => Math.max(max, e.ms), T0)
          entries = o.entries.map((e) => ({ ms: (ms += e.step), field: e.field }))
        }
        const newest = o.kind === 'append' && o.newest
        if (newest) {
          // in order, each after the one before and after every entry held
          let top = [...model].sort(compare).pop()
          entries = [...entries].sort(compare).filter((e) => {
            if (top !== undefined && compare(e, top) <= 0) return false
            top = e
            return true
          })
          if (entries.length === 0) continue
        }
        await (newest ? addNewest : add).run(client, [d], [pageMax, 60_000, ...entries.map(text)])
        for (const e of entries) if (!model.some((n) => same(n, e))) model.push(e)
      }
      model.sort(compare)

      // the pages: none empty, each with a TTL, in disjoint ranges in the directory's order, one time
      // in one page; more than twice pageMax entries only when those past twice pageMax share the
      // time of the entry before them (one time is never split)
      const directory = await client.zrange(d, '0', '-1', 'WITHSCORES')
      const seen: Entry[] = []
      for (let j = 0; j < directory.length; j += 2) {
        const page = `${d}:${directory[j] as string}`
        const v = await client.get(page) ?? ''
        if (v.length === 0 || v.length % ENTRY_LENGTH !== 0) return t.fail(`a page of ${v.length} characters: ${page}`)
        const entries: Entry[] = []
        for (let k = 0; k < v.length; k += ENTRY_LENGTH) entries.push({ ms: Number(v.slice(k, k + 13)), field: v.slice(k + 13, k + ENTRY_LENGTH) })
        for (let k = 1; k < entries.length; k++) if (compare(entries[k - 1] as Entry, entries[k] as Entry) >= 0) return t.fail(`a page out of order: ${page}`)
        if (entries.length > 2 * pageMax && new Set(entries.slice(2 * pageMax - 1).map((e) => e.ms)).size > 1) return t.fail(`a page of ${entries.length} entries (pageMax ${pageMax}): ${entries.map((e) => `${e.ms - T0}`).join(' ')}`)
        if ((entries[0] as Entry).ms < Number(directory[j + 1])) return t.fail('an entry below its page\'s bound')
        const previous = seen[seen.length - 1]
        if (previous !== undefined && previous.ms >= (entries[0] as Entry).ms) return t.fail('pages out of order, or one time in two pages')
        if (await client.pttl(page) <= 0) return t.fail('a page without a TTL')
        seen.push(...entries)
      }
      t.same(seen, model, 'the pages, read in order, hold the entries', { diagnostic: false })
      const keys = await client.keys(`${d}*`)
      t.equal(keys.length, model.length === 0 ? 0 : directory.length / 2 + 1, 'no page outside the directory', { diagnostic: false })
      if (model.length > 0) t.ok(await client.pttl(d) > 0, 'the directory has a TTL')

      // reads: from any position, either way, to any bound (closed or open), in batches
      const timed = model.map((e) => ({ ms: e.ms, name: e.field + layout.sfx }))
      for (const q of queries) {
        const reads = async (...args: Array<string | number>): Promise<[number, Array<string | number>]> => await read.run(client, [d], layout.sfx === '' ? args : [...args, layout.sfx]) as [number, Array<string | number>]
        if (!await readsAsModel(t, timed, q, reads, true)) return false
      }
      return true
    }), { numRuns: 150 })
  })
}

t.test('appended in order: pages of pageMax entries, each full one written to its size', async (t) => {
  const { client } = await connectRedis(t)
  const d = `test:text:${randomUUID()}:{x}:D:a`
  const pageMax = 16
  const n = 20 * pageMax
  for (let j = 0; j < n; j += 7) {
    const batch: string[] = []
    for (let k = j; k < Math.min(n, j + 7); k++) batch.push(text({ ms: T0 + k * 3, field: `f${String(k).padStart(21, '0')}` }))
    await add.run(client, [d], [pageMax, 60_000, ...batch])
  }
  const pages = await client.zrange(d, '0', '-1')
  t.equal(pages.length, 20, 'appends fill their pages')
  // APPEND leaves a string room to grow (as much again); a full page is written again without it:
  // as many bytes as the same text SET under a name of the same length
  const bytes = async (key: string): Promise<number> => Number(await client.memory('USAGE', key, 'SAMPLES', '0'))
  for (const [n, page] of pages.entries()) {
    const key = `${d}:${page}`
    const v = await client.get(key) ?? ''
    t.equal(v.length, pageMax * ENTRY_LENGTH, 'a full page', { diagnostic: false })
    const control = `${d}:x${page.slice(1)}`
    await client.set(control, v)
    if (n < pages.length - 1) t.equal(await bytes(key), await bytes(control), 'written to its size', { diagnostic: false })
    else t.ok(await bytes(key) > await bytes(control), `the last page, appended to, has room: ${await bytes(key)} bytes for ${await bytes(control)}`)
    await client.del(control)
  }
})

t.test('appended in order, several entries a millisecond: a page ends at a time boundary within its room, the time that crosses it starting the next page', async (t) => {
  const { client } = await connectRedis(t)
  const d = `test:text:${randomUUID()}:{x}:D:a`
  const pageMax = 8
  // batches of two milliseconds of three entries each: after the first, a page's room (8) ends
  // inside a millisecond of the next batch
  let k = 0
  for (let b = 0; b < 12; b++) {
    const batch: string[] = []
    for (let m = 0; m < 2; m++) {
      for (let e = 0; e < 3; e++) batch.push(text({ ms: T0 + 2 * b + m, field: `f${String(k++).padStart(21, '0')}` }))
    }
    await add.run(client, [d], [pageMax, 60_000, ...batch])
  }
  const pages = await client.zrange(d, '0', '-1')
  const all: string[] = []
  for (const page of pages) {
    const v = await client.get(`${d}:${page}`) ?? ''
    const n = v.length / ENTRY_LENGTH
    t.ok(n <= pageMax, `${page}: ${n} entries, at most ${pageMax}`, { diagnostic: false })
    for (let j = 0; j < n; j++) all.push(v.slice(j * ENTRY_LENGTH, (j + 1) * ENTRY_LENGTH))
  }
  t.equal(all.length, k, 'every entry, once')
  t.same(all, [...all].sort(), 'in order')
  // a time the page held before a batch stays whole in it, past its room
  const e = `test:text:${randomUUID()}:{x}:D:a`
  await add.run(client, [e], [4, 60_000, ...[0, 1, 2].map((j) => text({ ms: T0, field: `g${String(j).padStart(21, '0')}` }))])
  await add.run(client, [e], [4, 60_000, ...[3, 4, 5].map((j) => text({ ms: T0, field: `g${String(j).padStart(21, '0')}` })), text({ ms: T0 + 1, field: `g${'6'.padStart(21, '0')}` })])
  const [first, second] = await client.zrange(e, '0', '-1')
  t.equal(((await client.get(`${e}:${first as string}`)) ?? '').length / ENTRY_LENGTH, 6, 'one time, six entries, in one page')
  t.equal(((await client.get(`${e}:${second as string}`)) ?? '').length / ENTRY_LENGTH, 1, 'the next time, the next page')
})

t.test('TTLs: a page and its directory live the TTL and a slack; an append renews them once the last page is older than half the slack', async (t) => {
  const { client } = await connectRedis(t)
  const d = `test:text:${randomUUID()}:{x}:D:a`
  const ttl = 64_000
  // a sixty-fourth of the TTL: 1,000 ms, of which a page is young for 500
  const slack = 1000
  const entry = (ms: number, k: number): string => text({ ms, field: `f${String(k).padStart(21, '0')}` })
  await add.run(client, [d], [16, ttl, entry(T0, 0)])
  const [page] = await client.zrange(d, '0', '0')
  const key = `${d}:${page as string}`
  for (const name of [key, d]) {
    const left = await client.pttl(name)
    t.ok(left > ttl && left <= ttl + slack, `${name === d ? 'the directory' : 'the page'}: the TTL and the slack (${left} ms)`)
  }
  // TTLs lowered by hand, so that a renewal shows
  const low = async (): Promise<void> => { for (const name of [key, d]) await client.pexpire(name, 5000) }
  const renewed = async (): Promise<boolean[]> => await Promise.all([key, d].map(async (name) => await client.pttl(name) > 5000))
  await low()
  await add.run(client, [d], [16, ttl, entry(T0 + 400, 1)])
  t.same(await renewed(), [false, false], 'appended while the page is young (400 ms old): no TTL renewed')
  await add.run(client, [d], [16, ttl, entry(T0 + 600, 2)])
  t.same(await renewed(), [true, true], 'appended once it is older than half the slack (600 ms): page and directory renewed')
  t.equal((await client.get(key))?.length, 3 * ENTRY_LENGTH, 'the three entries in the one page')
})

t.test('entries told newest, appended to a last page gone by its TTL: the page is made again, with a TTL', async (t) => {
  const { client } = await connectRedis(t)
  const { addNewest } = pageScripts(PLACE_ENTRY_LENGTH, '_p')
  const d = `test:text:${randomUUID()}:{x}:E:a`
  const place = (n: number): string => `------${String(n).padStart(2, '-')}`
  const first = [0, 1, 2].map((n) => `${T0 + n}${place(n)}`)
  await addNewest.run(client, [d], [8, 60_000, ...first])
  const [name] = await client.zrange(d, '0', '0')
  t.ok(name, 'one page')
  await client.del(`${d}:${name as string}`)
  const more = [3, 4].map((n) => `${T0 + n}${place(n)}`)
  await addNewest.run(client, [d], [8, 60_000, ...more])
  t.equal(await client.get(`${d}:${name as string}`), more.join(''), 'the page holds what was appended since')
  const ttl = await client.pttl(`${d}:${name as string}`)
  t.ok(ttl > 0 && ttl <= 60_000 + 3_600_000, `the page has a TTL (${ttl} ms)`)
})
