import fc from 'fast-check'
import t from 'tap'
import { PLACE_DELTA_MAX, PLACE_DIGITS, PLACE_LENGTH, PLACE_LUA, PLACE_SEQ_MAX, partitionCode, placeId } from '../../src/decision-log/place-entries.js'
import { TEXT_PAGED_LUA } from '../../src/decision-log/text-pages.js'
import { createLuaScript } from '../../src/redis/lua-script.js'
import { connectRedis } from '../helpers/redis.js'

// ARGV: triples (stream id's time, sequence number, decision time). Returns per triple the place
// (false when it does not fit) and the stream id place_id gives back from it (false likewise)
const places = createLuaScript(`${TEXT_PAGED_LUA}${PLACE_LUA}
local out = {}
for j = 1, #ARGV, 3 do
  local p = place_of(tonumber(ARGV[j]), tonumber(ARGV[j + 1]), tonumber(ARGV[j + 2]))
  out[#out + 1] = p or false
  out[#out + 1] = p and place_id(ARGV[j + 2], p) or false
end
return out`)

const T0 = Date.UTC(2026, 0, 1)
const placeArb = fc.record({
  t: fc.integer({ min: T0, max: T0 + 10 * 365 * 86_400_000 }),
  // mostly small differences and sequence numbers, as the log writes them, and the ends of the range
  delta: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: PLACE_DELTA_MAX }), fc.constant(PLACE_DELTA_MAX)),
  seq: fc.oneof(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: PLACE_SEQ_MAX }), fc.constant(PLACE_SEQ_MAX))
})
const bytewise = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0

t.test('property: a place gives back its stream id (in Lua and in JavaScript), and places sort as their numbers', async (t) => {
  const { client } = await connectRedis(t)
  await fc.assert(fc.asyncProperty(fc.array(placeArb, { minLength: 2, maxLength: 40 }), async (rows) => {
    const reply = await places.run(client, [], rows.flatMap((r) => [r.t + r.delta, r.seq, r.t])) as Array<string | null>
    const got = rows.map((r, n) => ({ ...r, place: reply[2 * n] as string, id: reply[2 * n + 1] as string }))
    for (const g of got) {
      if (g.place.length !== PLACE_LENGTH || [...g.place].some((c) => !PLACE_DIGITS.includes(c))) return t.fail(`a place of other digits: ${g.place}`)
      if (g.id !== `${g.t + g.delta}-${g.seq}`) return t.fail(`place_id: ${g.id} for ${g.t + g.delta}-${g.seq}`)
      if (placeId(g.t, g.place) !== g.id) return t.fail(`placeId: ${placeId(g.t, g.place) ?? 'none'} for ${g.id}`)
    }
    for (let k = 1; k < got.length; k++) {
      const a = got[k - 1] as (typeof got)[number]
      const b = got[k] as (typeof got)[number]
      const numbers = Math.sign(a.delta - b.delta) || Math.sign(a.seq - b.seq)
      if (bytewise(a.place, b.place) !== numbers) return t.fail(`${a.place} and ${b.place} sort otherwise than (${a.delta}, ${a.seq}) and (${b.delta}, ${b.seq})`)
    }
    return true
  }), { numRuns: 100 })
})

t.test('a place that does not fit: none (the record is indexed by its field)', async (t) => {
  const { client } = await connectRedis(t)
  const reply = await places.run(client, [], [
    T0 + PLACE_DELTA_MAX + 1, 0, T0, // written more than 2.2 years after its decision
    T0, PLACE_SEQ_MAX + 1, T0, // the 4,097th of a millisecond
    T0 - 1, 0, T0, // before its decision (the stream's id of another clock)
    T0 + PLACE_DELTA_MAX, PLACE_SEQ_MAX, T0 // the last that fits
  ]) as Array<string | null>
  t.same(reply.slice(0, 6), [null, null, null, null, null, null], 'none for the three')
  t.equal(reply[7], `${T0 + PLACE_DELTA_MAX}-${PLACE_SEQ_MAX}`, 'the last that fits gives back its id')
  t.equal(placeId(T0, 'short'), undefined, 'no id from a member of another length (a field)')
  t.equal(placeId(T0, '.'.repeat(PLACE_LENGTH)), undefined, 'nor from other digits')
})

t.test('partition codes: two digits, in the order of the partitions', async (t) => {
  const codes = Array.from({ length: 300 }, (_, p) => partitionCode(p))
  t.same(codes.slice(0, 3), ['--', '-0', '-1'])
  t.ok(codes.every((c, p) => c.length === 2 && (p === 0 || bytewise(codes[p - 1] as string, c) < 0)), 'increasing')
  t.equal(partitionCode(4095), 'zz')
  t.throws(() => partitionCode(4096), RangeError)
  t.throws(() => partitionCode(-1), RangeError)
  t.throws(() => partitionCode(1.5), RangeError)
})
