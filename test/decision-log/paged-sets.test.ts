import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { PAGED_LUA } from '../../src/decision-log/paged-sets.js'
import { createLuaScript } from '../../src/redis/lua-script.js'
import { pagedAdd as add } from '../helpers/paged-set-writer.js'
import { readQuery, readsAsModel } from '../helpers/ordered-reads.js'
import { connectRedis } from '../helpers/redis.js'

// paged sets are what earlier versions wrote (the writer: test/helpers/paged-set-writer.ts); the
// log still reads and trims them
// KEYS: the directory. ARGV: score, member...
const remove = createLuaScript(`${PAGED_LUA}
paged_remove(KEYS[1], ARGV)
return 1`)
// KEYS: the directory. ARGV: direction, bound, position ms, position member, count
const read = createLuaScript(`${PAGED_LUA}
local members, done = paged_read(KEYS[1], ARGV[1] == 'd', ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]))
return {done and 1 or 0, members}`)

interface Member { ms: number, member: string }
const compare = (a: Member, b: Member): number => a.ms !== b.ms ? a.ms - b.ms : a.member < b.member ? -1 : a.member > b.member ? 1 : 0

const T0 = 1_764_000_000_000
// few distinct times, so that many members share one; members base64url-like, as the log's fields
const member = fc.record({ ms: fc.integer({ min: 0, max: 40 }).map((n) => T0 + n), member: fc.stringMatching(/^[A-Za-z0-9_-]{1,4}$/) })
const op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), members: fc.array(member, { minLength: 1, maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }) }) }
)
const query = readQuery(T0, 40)

t.test('property: a paged set reads as one sorted set would, whatever is added and removed in whatever order', async (t) => {
  const { client } = await connectRedis(t)
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(op, { minLength: 1, maxLength: 14 }), fc.array(query, { minLength: 1, maxLength: 6 }), async (pageMax, ops, queries) => {
    const d = `test:paged:${randomUUID()}:{x}:F:r`
    let model: Member[] = []
    for (const o of ops) {
      if (o.kind === 'add') {
        // as in the log, a member has one score: added again (a resent write), it comes with it
        const members = o.members.map((m) => model.find((n) => n.member === m.member) ?? o.members.find((n) => n.member === m.member) ?? m)
        await add.run(client, [d], [pageMax, 60_000, ...members.flatMap((m) => [m.ms, m.member])])
        for (const m of members) if (!model.some((n) => n.member === m.member)) model.push(m)
      } else if (model.length > 0) {
        const gone = o.picks.map((p) => model[p % model.length] as Member)
        await remove.run(client, [d], gone.flatMap((m) => [m.ms, m.member]))
        model = model.filter((n) => !gone.some((g) => g.member === n.member))
      }
    }
    model.sort(compare)

    // the pages: each at most twice pageMax members unless all share one score, in disjoint ranges in
    // the directory's order, none empty, each with a TTL
    const directory = await client.zrange(d, '0', '-1', 'WITHSCORES')
    const seen: Member[] = []
    for (let j = 0; j < directory.length; j += 2) {
      const page = `${d}:${directory[j] as string}`
      const held = await client.zrange(page, '0', '-1', 'WITHSCORES')
      const members: Member[] = []
      for (let k = 0; k < held.length; k += 2) members.push({ member: held[k] as string, ms: Number(held[k + 1]) })
      if (members.length === 0) return t.fail(`an empty page in the directory: ${page}`)
      if (members.length > 2 * pageMax && new Set(members.map((m) => m.ms)).size > 1) return t.fail(`a page of ${members.length} members: ${page}`)
      if (await client.object('ENCODING', page) !== 'listpack') return t.fail(`a page not packed: ${page}`)
      if ((members[0] as Member).ms < Number(directory[j + 1])) return t.fail('a member below its page\'s bound')
      if (seen.length > 0 && compare(seen[seen.length - 1] as Member, members[0] as Member) >= 0) return t.fail('pages out of order')
      if (await client.pttl(page) <= 0) return t.fail('a page without a TTL')
      seen.push(...members)
    }
    t.same(seen, model, 'the pages, read in order, hold the set', { diagnostic: false })
    const keys = await client.keys(`${d}*`)
    t.equal(keys.length, model.length === 0 ? 0 : directory.length / 2 + 1, 'no page outside the directory', { diagnostic: false })

    // reads: from any position, either way, to any bound, in batches (a batch holds every member
    // of its position's time past it, beyond its count)
    const timed = model.map((m) => ({ ms: m.ms, name: m.member }))
    for (const q of queries) {
      if (!await readsAsModel(t, timed, q, async (...args) => await read.run(client, [d], args) as [number, string[]], false)) return false
    }
    return true
  }), { numRuns: 150 })
})
