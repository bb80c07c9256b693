import { PLACE_ENTRY_LENGTH, PLACE_FAR_MS, PLACE_KEY_LENGTH, PLACE_LUA } from './place-entries.js'
import { ENTRY_LENGTH, TEXT_PAGED_LUA } from './text-pages.js'

/**
 * The decision log's Lua scripts (Redis 6.0 commands only). Every script touches the keys of one
 * partition, which share the partition's hash tag (one Redis Cluster slot); see redis-keys.ts.
 *
 * Per partition:
 *   s  stream: one entry per record, fields `d` (the decision's field: 22 base64url characters of
 *      its id), `r` (the encoded record, src/decision-log/codec.ts) and `x` (its index entry,
 *      search-keys.ts indexArg, its fired rules named by their codes in R: what to remove from
 *      the search indexes when it is trimmed)
 *   R  hash: the partition's rule codes, rule id -> code and `#<code>` -> rule id, `#` -> the last
 *      code given (a code is a decimal number: a rule id starts with a letter, so an index entry
 *      written before the codes, which names its rules, is told apart). A rule's code is given by
 *      the first record that names it, and kept as long as the stream (about 90 bytes a record:
 *      the rule ids of the index entries, written once a partition instead of once a record)
 *   i  hash: field -> `<body fingerprint>|<stream id>` for every recorded decision, or
 *      `P|<body fingerprint>|<nonce>|<until ms>` while an attempt holds the charge's reservation
 *      (a reservation past its time no longer holds: the next attempt takes it over)
 *   o  hash: field -> `<rank>|<outcome JSON>`, the decision's latest outcome
 *   h  hash: field -> every outcome reported (JSON), oldest first, one a line (JSON has no raw
 *      newline), at most MAX_OUTCOME_HISTORY
 *   c  hash: field -> `<close ms>|<outcome JSON>`, the outcome that closed the decision's review
 *   and the search indexes and overview counts named in search-keys.ts, built in the scripts from
 *   the partition's prefix (ARGV), so in the partition's slot too.
 * Times are the callers' clocks (epoch ms).
 */

/**
 * Lua: `rg_x_time(id, x)`, the decision time (13 digits) of the stream entry of id whose index
 * entry is x, and whether its record is indexed by its place (place-entries.ts). The stream keeps
 * an index entry (search-keys.ts indexArg) as `<kind><degraded>~|<identifiers>|<rules>` when its
 * record was written at its own time (the id's time is the decision time: 13 characters a record
 * that the entry need not hold), and as `<kind><degraded><time>~|...` (indexed by its place) or
 * `<kind><degraded><time>|...` (by its field) otherwise; entries of earlier versions hold the time
 * always, and some of them the hour after it.
 */
const INDEX_ENTRY_LUA = `
local function rg_x_time (id, x)
  if string.sub(x, 3, 3) == '~' then
    local ms = string.sub(id, 1, string.find(id, '-', 1, true) - 1)
    if #ms < 13 then ms = string.rep('0', 13 - #ms) .. ms end
    return ms, true
  end
  return string.sub(x, 3, 15), string.sub(x, 16, 16) == '~'
end
`

/**
 * A recorded decision's record, its index entry (the stream entry's fields r and x) and its stream
 * id, from its index value `<body fingerprint>|<stream id>`: false, false once trimmed (x is false
 * too for an entry written before the index entries).
 */
const RECORD_ENTRY_LUA = `${INDEX_ENTRY_LUA}
local function rg_log_entry (s, v)
  local id = string.sub(v, string.find(v, '|', 1, true) + 1)
  local e = redis.call('XRANGE', s, id, id)[1]
  if not e then return false, false end
  return e[2][4], e[2][6] or false, id
end
`

/**
 * What the log holds for a field: {1, fingerprint, record or false, the record's index entry (x:
 * the identifier digests a record of codec version 2 leaves to it) or false, outcome or false} when recorded,
 * {2, fingerprint, nonce} when reserved, {0} when neither. Defined as Lua functions so that the
 * scoring script (velocity and reservation in one call) can run them too.
 */
export const LOOKUP_LUA = `${RECORD_ENTRY_LUA}
local function rg_log_lookup(i, s, o, field, now)
  local v = redis.call('HGET', i, field)
  if not v then return {0} end
  if string.sub(v, 1, 2) == 'P|' then
    local fp, nonce, untl = string.match(v, '^P|([^|]*)|([^|]*)|(%d+)$')
    if tonumber(untl) <= tonumber(now) then return {0} end
    return {2, fp, nonce}
  end
  local rec, x = rg_log_entry(s, v)
  local out = redis.call('HGET', o, field) or false
  return {1, string.sub(v, 1, string.find(v, '|', 1, true) - 1), rec, x, out}
end

-- reservation: this attempt's index value (reservationValue)
local function rg_log_reserve(i, s, o, field, reservation, now)
  -- a charge seen for the first time (nearly every one): reserved by one command
  if redis.call('HSETNX', i, field, reservation) == 1 then return {0} end
  local found = rg_log_lookup(i, s, o, field, now)
  if found[1] ~= 0 then return found end
  redis.call('HSET', i, field, reservation)
  return {0}
end
`

/**
 * The index value of an attempt's reservation (i, above): `P|<body fingerprint>|<nonce>|<until
 * ms>`, written as the caller sends it (one word of the call, no concatenation in Lua).
 */
export function reservationValue (fingerprint: string, nonce: string, untilMs: number): string {
  return `P|${fingerprint}|${nonce}|${untilMs}`
}

/** KEYS: i, s, o, h. ARGV: field, now ms. As rg_log_lookup, with the outcome history last when recorded. */
export const LOOKUP_SCRIPT = `${LOOKUP_LUA}
local found = rg_log_lookup(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
if found[1] == 1 then found[6] = redis.call('HGET', KEYS[4], ARGV[1]) or false end
return found`

/**
 * KEYS: i, s, o. ARGV: field, the reservation (reservationValue: its time of lapsing as integer
 * text, so Lua converts no number), now ms. {0} when reserved now.
 */
export const RESERVE_SCRIPT = `${LOOKUP_LUA}
return rg_log_reserve(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])`

/**
 * The most entries an identifier's hash field holds before they move to the kind's sorted set: 128
 * place entries are 2,688 bytes, copied at each of the identifier's writes (a busy identifier, a
 * card charged thousands of times, costs a sorted-set insert instead), where a sorted-set member
 * costs Redis about 130 bytes against the entry's 21. Measured (2026-12-07, one partition): Redis
 * memory 1,098 bytes a charge against 1,162 with 32 and 1,110 with 64 (`npm run bench`, its Redis
 * memory phase); redis-server instructions a record appended 195,405 against 195,123 with 32
 * (20,000 records captured from the service's scorer, replayed twice with `--warm --callgrind`,
 * the second pass measured: bench/redis-script-replay.ts).
 */
export const POSTINGS_MAX = 128

/**
 * Records a batch of one partition, idempotently, indexes it, then trims the partition.
 * KEYS: s, i, o, h, c. ARGV: max records, TTL ms, now ms, the partition's prefix, the most entries
 * an identifier's postings hash field holds (POSTINGS_MAX), the most entries of a page of the
 * kind and rule indexes (text-pages.ts TEXT_PAGE_MAX), 1 to keep every record's time in its index
 * entry in the stream (RISKGATE_DECISION_LOG_FORMAT 2, format.ts) or 0, then per record:
 * field, fingerprint, nonce (the attempt that decided), time ms, encoded record, index entry
 * (search-keys.ts indexArg).
 * Returns per record 1 written, 2 duplicate (already recorded), 3 superseded (another attempt holds
 * the reservation, and it has not lapsed).
 *
 * A record is appended with the stream id `<time>-*` (so time ranges are id ranges), or `*` when
 * the stream holds a later id already, and added to the indexes of its kind, rules and identifiers
 * by its place (place-entries.ts: its stream id, relative to its time; by its field in the earlier
 * keys, D, G and U, when the place does not fit) (and, when outcomes were reported while it was
 * decided, of its latest label), to
 * the open or closed reviews, and counted in its hour. Trimming removes the oldest records beyond
 * the bound, and (checked every 64 records) those older than the TTL, with their index, outcome,
 * history and close fields and every search index entry (read from the record's `x`: exactly
 * what was added, so the indexes hold no more than the log and an identifier's key goes with its
 * last record). Every key written gets the TTL (text pages and their directories with a slack:
 * text-pages.ts TEXT_TTL_LUA), so a log no longer written to goes away.
 */
export const APPEND_SCRIPT = `${TEXT_PAGED_LUA}${PLACE_LUA}${INDEX_ENTRY_LUA}
local s, i, o, h, c = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local maxlen = tonumber(ARGV[1])
local ttl = ARGV[2]
local now = tonumber(ARGV[3])
local pre = ARGV[4]
local postings_max = tonumber(ARGV[5]) * ${ENTRY_LENGTH}
local postings_max_p = tonumber(ARGV[5]) * ${PLACE_ENTRY_LENGTH}
local page_limit = tonumber(ARGV[6]) * ${ENTRY_LENGTH}
local page_limit_p = tonumber(ARGV[6]) * ${PLACE_ENTRY_LENGTH}
local keep_times = ARGV[7] == '1'
local KIND = { a = 'allow', r = 'review', b = 'block' }
local out = {}
local added = 0
-- sorted set -> its new members (score, member...), and hour -> field -> count: the batch's
-- index entries, written once per key at the end (a call per key, not per record)
local sets, counts = {}, {}
-- and the text-paged indexes' (text-pages.ts: by kind, by rule): directory -> its new entries
-- in order, and the times of the first and the last as numbers
-- (and whether every entry of the list is newest: add_text)
local texts, text_lows, text_highs, text_places, text_newest = {}, {}, {}, {}, {}
local function add (key, score, member)
  local list = sets[key]
  if not list then
    list = {}
    sets[key] = list
  end
  list[#list + 1] = score
  list[#list + 1] = member
end
-- entry e (its time as a number: en) into text-paged index d's list, in order (usually the last);
-- place: e is a place entry (place-entries.ts), d a directory of them; newest: e is the place
-- entry of a record written at its own time, which sorts after every entry of the partition
local function add_text (d, e, en, place, newest)
  local list = texts[d]
  if not list then
    texts[d] = {e}
    text_lows[d], text_highs[d] = en, en
    text_places[d] = place
    text_newest[d] = newest
    return
  end
  -- usually after the last (by time: a number compared, no text)
  if newest or en > text_highs[d] then
    list[#list + 1] = e
    text_highs[d] = en
    text_newest[d] = text_newest[d] and newest
    return
  end
  text_newest[d] = false
  local j = #list
  local before = place and entry_before_at_p or entry_before_at
  while j >= 1 and before(e, en, list[j], 1) do j = j - 1 end
  table.insert(list, j + 1, e)
  if j == 0 then text_lows[d] = en end
end
-- rule -> its names (rule_names); kind -> its text-paged index; identifier kind -> its postings hash:
-- built once a call (a concatenation costs a new string)
local rule_keys, kind_keys, place_kind_keys, posting_keys, place_posting_keys = {}, {}, {}, {}, {}
-- the key <prefix><infix><name>, built once a call (cache: name -> key)
local function cached_key (cache, infix, name)
  local key = cache[name]
  if not key then
    key = pre .. infix .. name
    cache[name] = key
  end
  return key
end
-- a rule's names, built once a call: {its text-paged index of field entries, its field in the
-- hourly counts, its plain set and its paged set of earlier versions, its text-paged index of
-- place entries}
local function rule_names (rule)
  local names = rule_keys[rule]
  if not names then
    names = {pre .. 'G:' .. rule, 'f:' .. rule, pre .. 'f:' .. rule, pre .. 'F:' .. rule, pre .. 'H:' .. rule}
    rule_keys[rule] = names
  end
  return names
end
-- the time (ms) of a stream entry's id
local function id_ms (id)
  return tonumber(string.sub(id, 1, string.find(id, '-', 1, true) - 1))
end
-- the place of a record of stream id id and decision time t (a number), or nil (place-entries.ts)
local function place_of_id (id, t)
  local dash = string.find(id, '-', 1, true)
  return place_of(tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1)), t)
end
-- the caller's index entry x (its identifiers ending at b2) with the rules' codes, without the mark
-- of a place: its record is indexed by its field
local function unmarked (x, b2, rules_text)
  return string.sub(x, 1, 15) .. string.sub(x, 17, b2) .. rules_text
end
-- the partition's rule codes (R, above): a record's index entry in the stream names its
-- fired rules by number
local rules_key = pre .. 'R'
local code_of, rule_of, created = {}, {}, false
local function rule_code (rule)
  local code = code_of[rule]
  if code then return code end
  code = redis.call('HGET', rules_key, rule)
  if not code then
    code = tostring(redis.call('HINCRBY', rules_key, '#', 1))
    redis.call('HSET', rules_key, rule, code, '#' .. code, rule)
    created = true
  end
  code_of[rule] = code
  return code
end
-- a rule of a stored index entry: a number (a code), or the rule id itself (entries written
-- before the codes; rule ids start with a letter); nil when the code is no longer known
local function rule_named (u)
  if not string.find(u, '^%d') then return u end
  local rule = rule_of[u]
  if rule == nil then
    rule = redis.call('HGET', rules_key, '#' .. u) or false
    rule_of[u] = rule
  end
  return rule or nil
end
-- identifier postings (search-keys.ts): hash key -> digest -> its entries, written once per key
-- at the end (a digest may come several times in a batch); false: the digest's entries were in
-- the sorted set already, its field has nothing to write
local posted = {}
-- entry e (its time as a number: en) of an identifier of kind kc: a place entry (place-entries.ts)
-- into the hash V:<kc> when place, else a field entry into U:<kc>; newest as for add_text: then
-- it goes after the identifier's entries, with nothing read or compared
local function post (kc, digest, e, en, place, newest)
  local hk = place and cached_key(place_posting_keys, 'V:', kc) or cached_key(posting_keys, 'U:', kc)
  local held = posted[hk]
  if not held then
    held = {}
    posted[hk] = held
  end
  local v = held[digest]
  if v == nil then
    v = redis.call('HGET', hk, digest) or ''
    if v == '*' then v = false end
  end
  if not v or v == '*' then
    add(pre .. 'u:' .. kc, 0, digest .. ':' .. e)
  elseif #v >= (place and postings_max_p or postings_max) then
    -- a busy identifier: its entries move to the kind's sorted set
    local z = pre .. 'u:' .. kc
    local length = place and ${PLACE_ENTRY_LENGTH} or ${ENTRY_LENGTH}
    for j = 1, #v, length do add(z, 0, digest .. ':' .. string.sub(v, j, j + length - 1)) end
    add(z, 0, digest .. ':' .. e)
    v = '*'
  elseif newest then
    v = v .. e
  elseif place then
    v = entry_insert_p(v, e, en)
  else
    v = entry_insert(v, e, en)
  end
  held[digest] = v
end
-- a trimmed record's entry leaves its identifier's postings (a digest with none left goes): a
-- place entry (place) from V:<kc>, a field entry from U:<kc>, or either from the sorted set
local function unpost (kc, digest, e, place)
  local field_hk = cached_key(posting_keys, 'U:', kc)
  local place_hk = cached_key(place_posting_keys, 'V:', kc)
  local hk = place and place_hk or field_hk
  local v = redis.call('HGET', hk, digest)
  local rest = nil
  if v and v ~= '*' then
    if place then rest = entry_remove_p(v, e) else rest = entry_remove(v, e) end
  end
  if rest then
    if rest == '' then redis.call('HDEL', hk, digest) else redis.call('HSET', hk, digest, rest) end
    return
  end
  -- in the sorted set: a busy identifier's, or written before the postings hashes
  local z = pre .. 'u:' .. kc
  redis.call('ZREM', z, digest .. ':' .. e)
  if v == '*' and #redis.call('ZRANGEBYLEX', z, '[' .. digest .. ':', '(' .. digest .. ';', 'LIMIT', '0', '1') == 0 then
    -- the other hash's field goes too when it says busy: the sorted set holds none of either
    redis.call('HDEL', hk, digest)
    local other = place and field_hk or place_hk
    if redis.call('HGET', other, digest) == '*' then redis.call('HDEL', other, digest) end
  end
end
-- the hourly counts' key of the last record's hour, and where that hour starts (ms)
local hour_key, hour_lo = nil, 0
local function count (n, f)
  local held = counts[n]
  if not held then
    held = {}
    counts[n] = held
  end
  held[f] = (held[f] or 0) + 1
end
-- What the batch's records need of i and o, read first with one HMGET a key (a command costs
-- Redis about what a lookup does; reading each identifier's postings field the same way saved
-- nothing: the Lua tables to hold them cost as much, docs/performance.md)
local records = (#ARGV - 7) / 6
local function hmget (key, list)
  local got = {}
  for j = 1, #list, 512 do
    local part = redis.call('HMGET', key, unpack(list, j, math.min(j + 511, #list)))
    for k = 1, #part do got[#got + 1] = part[k] end
  end
  return got
end
local batch_fields = {}
for r = 0, records - 1 do batch_fields[r + 1] = ARGV[8 + r * 6] end
local batch_i, batch_o = {}, {}
if records > 0 then
  batch_i = hmget(i, batch_fields)
  batch_o = hmget(o, batch_fields)
end
-- fields recorded by this call (a field twice in one batch: the second is a duplicate), and
-- their index values (field, value...), written with one HSET after the records
local recorded, i_writes = {}, {}
-- a record's fired rules: their codes and their names (rule_names), the first m of each (tables
-- of the call, written over by each record: a table a record costs Redis more than the rest of
-- what the rules take)
local codes, fired = {}, {}
for r = 0, records - 1 do
  local a = 8 + r * 6
  local field, fp, nonce = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local v = recorded[field] or batch_i[r + 1]
  local held = false
  if v and string.sub(v, 1, 2) == 'P|' then
    -- the attempt's own reservation (the usual case) is told by its prefix, without a pattern
    local own = 'P|' .. fp .. '|' .. nonce .. '|'
    if string.sub(v, 1, #own) ~= own then
      local pfp, pnonce, untl = string.match(v, '^P|([^|]*)|([^|]*)|(%d+)$')
      held = (pfp ~= fp or pnonce ~= nonce) and tonumber(untl) > now
    end
    v = false
  end
  if v then
    out[#out + 1] = 2
  elseif held then
    out[#out + 1] = 3
  else
    local ms = ARGV[a + 3]
    local msn = tonumber(ms)
    local x = ARGV[a + 5]
    -- the index entry: <kind><degraded><time, 13 digits>|<identifiers>|<rules> (entries of
    -- earlier versions have the hour after the time: only this script reads it, at the append);
    -- kept in the stream with its rules as their codes
    local b1 = string.find(x, '|', 1, true)
    local b2 = string.find(x, '|', b1 + 1, true)
    local k = string.sub(x, 1, 1)
    if not hour_key or msn < hour_lo or msn >= hour_lo + 3600000 then
      local hour = math.floor(msn / 3600000)
      hour_lo = hour * 3600000
      hour_key = pre .. 'n:' .. hour
    end
    local n = hour_key
    -- the decision time of its entries in the indexes (<time><place>, or <time><field>)
    local tm = string.sub(x, 3, 15)
    -- the fired rules, in one pass: their names (indexed once the record's place is known),
    -- counted, and their codes for the stream
    local m = 0
    -- lists are split with plain finds, inline (a pattern's character class costs several times
    -- more, a Lua function per list about 3% of the script)
    local at, xl = b2 + 1, #x
    while at <= xl do
      local stop = string.find(x, ',', at, true) or xl + 1
      if stop > at then
        local rule = string.sub(x, at, stop - 1)
        local names = rule_names(rule)
        count(n, names[2])
        m = m + 1
        codes[m] = rule_code(rule)
        fired[m] = names
      end
      at = stop + 1
    end
    -- kept with its rules' codes. The caller marks it '~' after the time: indexed by its place
    -- (place-entries.ts), which the stream id gives. Written at its own time (the usual), it
    -- leaves the time to the stream id (rg_x_time) unless keep_times; late, it keeps it; unmarked
    -- when the place cannot fit, known before (written too long after its decision) or after (the
    -- 4,097th of a millisecond: the entry is written again). Each form is one concatenation.
    local rules_text = table.concat(codes, ',', 1, m)
    local far = now - msn > ${PLACE_FAR_MS}
    local kept
    if far then
      kept = unmarked(x, b2, rules_text)
    elseif keep_times then
      kept = string.sub(x, 1, b2) .. rules_text
    else
      kept = string.sub(x, 1, 2) .. string.sub(x, 16, b2) .. rules_text
    end
    local id = redis.pcall('XADD', s, ms .. '-*', 'd', field, 'r', ARGV[a + 4], 'x', kept)
    local place = nil
    -- written at its own time: its stream id, <ms>-<seq>, is the partition's newest, and any
    -- record indexed before has an earlier time or, at the same time, a lower sequence (an
    -- id's time is never below its record's): its place entry sorts after every entry of the
    -- partition's place indexes, and is appended to them without a comparison
    local newest = false
    if type(id) == 'table' and id.err then
      if not far and not keep_times then kept = string.sub(x, 1, b2) .. rules_text end
      id = redis.call('XADD', s, '*', 'd', field, 'r', ARGV[a + 4], 'x', kept)
      if not far then place = place_of_id(id, msn) end
    elseif not far then
      -- at its own time: only the sequence number to read, usually one digit (its byte, not
      -- a number parsed)
      place = place_of(msn, #id == #ms + 2 and string.byte(id, -1) - 48 or tonumber(string.sub(id, #ms + 2)), msn)
      newest = place ~= nil
    end
    if not far and not place then
      redis.call('XDEL', s, id)
      kept = unmarked(x, b2, rules_text)
      id = redis.call('XADD', s, '*', 'd', field, 'r', ARGV[a + 4], 'x', kept)
    end
    -- its entry in the kind and rule indexes: <time><place>, or <time><field>
    local ep = place and (tm .. place) or (tm .. field)
    for j = 1, m do add_text(place and fired[j][5] or fired[j][1], ep, msn, place, newest) end
    local iv = fp .. '|' .. id
    recorded[field] = iv
    i_writes[#i_writes + 1] = field
    i_writes[#i_writes + 1] = iv
    out[#out + 1] = 1
    added = added + 1
    if place then add_text(cached_key(place_kind_keys, 'E:', k), ep, msn, true, newest) else add_text(cached_key(kind_keys, 'D:', k), ep, msn) end
    count(n, KIND[k])
    if string.sub(x, 2, 2) == '1' then count(n, 'degraded') end
    -- identifiers: the postings of each kind
    at = b1 + 1
    while at < b2 do
      local stop = string.find(x, ',', at, true)
      if not stop or stop > b2 then stop = b2 end
      if stop > at then post(string.sub(x, at, at), string.sub(x, at + 1, stop - 1), ep, msn, place, newest) end
      at = stop + 1
    end
    -- outcomes reported while the charge was being decided
    local ov = batch_o[r + 1]
    if ov then add(pre .. 'l:' .. string.match(ov, '"label":"([%w_]+)"'), ms, field) end
    if k == 'r' then
      local cv = ov and redis.call('HGET', c, field)
      if cv then
        add(pre .. 'rc', string.match(cv, '^(%d+)|'), field)
      else
        add(pre .. 'ro', ms, field)
      end
    elseif ov then
      redis.call('HDEL', c, field)
    end
  end
end
for j = 1, #i_writes, 512 do redis.call('HSET', i, unpack(i_writes, j, math.min(j + 511, #i_writes))) end
for key, list in pairs(sets) do
  for j = 1, #list, 512 do redis.call('ZADD', key, unpack(list, j, math.min(j + 511, #list))) end
end
if next(texts) then
  local text_ttl_ms, young = text_ttl(ttl, now)
  for d, list in pairs(texts) do
    if text_places[d] then
      text_add_p(d, list, text_lows[d], page_limit_p, text_ttl_ms, young, text_newest[d])
    else
      text_add(d, list, text_lows[d], page_limit, text_ttl_ms, young)
    end
  end
end
for key, held in pairs(posted) do
  local list = {}
  for digest, v in pairs(held) do
    if v then
      list[#list + 1] = digest
      list[#list + 1] = v
    end
  end
  for j = 1, #list, 512 do redis.call('HSET', key, unpack(list, j, math.min(j + 511, #list))) end
end
if added > 0 then
  local n = redis.call('XLEN', s)
  local excess = n - maxlen
  local aged = (n % 64) < added
  if excess > 0 or aged then
    local cutoff = now - tonumber(ttl)
    -- at most added + 2 records go, oldest first: read at once; their fields and the keys they
    -- leave are removed by one command each after the loop
    -- (only the age to check: the oldest alone first, the rest when it is too old)
    local oldest = redis.call('XRANGE', s, '-', '+', 'COUNT', excess > 0 and added + 2 or 1)
    local first = oldest[1]
    if excess <= 0 and first and id_ms(first[1]) < cutoff then
      oldest = redis.call('XRANGE', s, '-', '+', 'COUNT', added + 2)
    end
    local gone, ids, reviews = {}, {}, {}
    -- text-paged index -> the entries leaving and their times as numbers, and the same index as
    -- earlier versions kept it ({its paged set, its plain sorted set}: read until they are trimmed
    -- empty, and trimmed of the same records where they still exist)
    -- (a directory of place entries, place-entries.ts, has no earlier versions' sets: paged nil)
    local untext, untext_nums, earlier, unplace = {}, {}, {}, {}
    local function leave (d, paged, plain, ex, atn)
      local list = untext[d]
      if not list then
        list = {}
        untext[d] = list
        untext_nums[d] = {}
        if paged then earlier[d] = {paged, plain} else unplace[d] = true end
      end
      list[#list + 1] = ex
      local ns = untext_nums[d]
      ns[#ns + 1] = atn
    end
    -- the earlier versions' keys by kind (K: paged, k: plain), built once a call
    local paged_kind_keys, plain_kind_keys = {}, {}
    for _, e in ipairs(oldest) do
      if excess <= 0 and id_ms(e[1]) >= cutoff then break end
      local f = e[2][2]
      local x = e[2][6]
      if x then
        local b1 = string.find(x, '|', 1, true)
        local b2 = string.find(x, '|', b1 + 1, true)
        local k = string.sub(x, 1, 1)
        local at, placed = rg_x_time(e[1], x)
        local atn = tonumber(at)
        local ex = at .. f
        local ep = placed and (at .. place_of_id(e[1], atn)) or nil
        if ep then
          leave(cached_key(place_kind_keys, 'E:', k), nil, nil, ep, atn)
        else
          leave(cached_key(kind_keys, 'D:', k), cached_key(paged_kind_keys, 'K:', k), cached_key(plain_kind_keys, 'k:', k), ex, atn)
        end
        if k == 'r' then reviews[#reviews + 1] = f end
        local from = b1 + 1
        while from < b2 do
          local stop = string.find(x, ',', from, true)
          if not stop or stop > b2 then stop = b2 end
          if stop > from then unpost(string.sub(x, from, from), string.sub(x, from + 1, stop - 1), ep or ex, ep ~= nil) end
          from = stop + 1
        end
        from = b2 + 1
        local xl = #x
        while from <= xl do
          local stop = string.find(x, ',', from, true) or xl + 1
          local rule = stop > from and rule_named(string.sub(x, from, stop - 1))
          if rule then
            local names = rule_names(rule)
            if ep then leave(names[5], nil, nil, ep, atn) else leave(names[1], names[4], names[3], ex, atn) end
          end
          from = stop + 1
        end
      end
      gone[#gone + 1] = f
      ids[#ids + 1] = e[1]
      excess = excess - 1
    end
    if #gone > 0 then
      if #reviews > 0 then redis.call('ZREM', pre .. 'ro', unpack(reviews)) end
      redis.call('HDEL', i, unpack(gone))
      redis.call('HDEL', h, unpack(gone))
      -- outcomes and closes are few: read, then only those held are removed
      local ovs = hmget(o, gone)
      local cvs = hmget(c, gone)
      for j = 1, #gone do
        local f = gone[j]
        local ov = ovs[j]
        if ov then
          redis.call('HDEL', o, f)
          redis.call('ZREM', pre .. 'l:' .. string.match(ov, '"label":"([%w_]+)"'), f)
        end
        if cvs[j] then
          redis.call('HDEL', c, f)
          redis.call('ZREM', pre .. 'rc', f)
        end
      end
      redis.call('XDEL', s, unpack(ids))
    end
    for d, list in pairs(untext) do
      if unplace[d] then text_remove_p(d, list, untext_nums[d]) else text_remove(d, list, untext_nums[d]) end
    end
    -- the earlier versions' sets: asked about with one EXISTS (none, once they are trimmed empty),
    -- then each; their members are the text entries' (score: the entry's time, member: its field)
    local legacy = {}
    for _, names in pairs(earlier) do
      legacy[#legacy + 1] = names[1]
      legacy[#legacy + 1] = names[2]
    end
    if #legacy > 0 and redis.call('EXISTS', unpack(legacy)) > 0 then
      for d, names in pairs(earlier) do
        local paged, plain = names[1], names[2]
        local members, fields = {}, {}
        for _, ex in ipairs(untext[d]) do
          local f = string.sub(ex, 14)
          members[#members + 1] = string.sub(ex, 1, 13)
          members[#members + 1] = f
          fields[#fields + 1] = f
        end
        if redis.call('EXISTS', paged) == 1 then
          -- the scores as numbers, in the members' layout (score, score...)
          local scores = {}
          for j, atn in ipairs(untext_nums[d]) do
            scores[2 * j - 1] = atn
            scores[2 * j] = atn
          end
          paged_remove(paged, members, scores)
        end
        if redis.call('EXISTS', plain) == 1 then redis.call('ZREM', plain, unpack(fields)) end
      end
    end
  end
  if aged or n <= added then
    redis.call('PEXPIRE', s, ttl)
    redis.call('PEXPIRE', i, ttl)
    redis.call('PEXPIRE', o, ttl)
    redis.call('PEXPIRE', h, ttl)
    redis.call('PEXPIRE', c, ttl)
  end
  -- the rule codes live as long as the stream: refreshed with it, and when a code is added
  if aged or n <= added or created then redis.call('PEXPIRE', rules_key, ttl) end
  for key in pairs(sets) do redis.call('PEXPIRE', key, ttl) end
  for key in pairs(posted) do redis.call('PEXPIRE', key, ttl) end
  redis.call('PEXPIRE', pre .. 'ro', ttl)
  redis.call('PEXPIRE', pre .. 'rc', ttl)
  -- counts passed as text (converted once each: a number argument costs Redis a conversion)
  local count_texts = {}
  for n, fields in pairs(counts) do
    for f, by in pairs(fields) do
      local t = count_texts[by]
      if not t then
        t = tostring(by)
        count_texts[by] = t
      end
      redis.call('HINCRBY', n, f, t)
    end
    redis.call('PEXPIRE', n, ttl)
  end
end
return out`

/**
 * Reports an outcome on a recorded decision or one being decided, or closes a review.
 * KEYS: i, o, h, c. ARGV: field, rank, force ('1' replaces whatever is stored), outcome JSON,
 * label, time reported (ms), hour reported, mode ('o' an outcome, 'c' a review close), the
 * partition's prefix, TTL ms, history length kept.
 * Returns {0} unknown, {1} stored, {2, stored} when a stronger outcome is kept; a close also
 * {3} when the decision is not a review (or not recorded yet: {0}), {4, close} when it was closed.
 *
 * Every outcome is appended to the history and counted in its hour. A review_* outcome closes an
 * open review (its decision kind and time are read from the record's index entry `x` in the
 * stream, s: KEYS[5]; for a record written before the entries, from the kind indexes). The latest
 * outcome's label index is moved.
 */
export const OUTCOME_SCRIPT = `${RECORD_ENTRY_LUA}
local i, o, h, c, s = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local field, rank, force, json, label = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local closeMs, mode, pre, ttl = ARGV[6], ARGV[8], ARGV[9], ARGV[10]
local v = redis.call('HGET', i, field)
if not v then return {0} end
local pending = string.sub(v, 1, 2) == 'P|'
local kind, ms = nil, nil
if not pending then
  local _, x, id = rg_log_entry(s, v)
  if x then
    kind, ms = string.sub(x, 1, 1), rg_x_time(id, x)
  else
    for _, k in ipairs({'r', 'a', 'b'}) do
      local score = redis.call('ZSCORE', pre .. 'k:' .. k, field)
      if score and (not ms or tonumber(score) > tonumber(ms)) then kind, ms = k, score end
    end
  end
end
if mode == 'c' then
  if pending or not kind then return {0} end
  if kind ~= 'r' then return {3} end
  local closed = redis.call('HGET', c, field)
  if closed then return {4, closed} end
end
local history = redis.call('HGET', h, field)
if history then
  history = history .. '\\n' .. json
  local _, lines = string.gsub(history, '\\n', '')
  for _ = 1, lines + 1 - tonumber(ARGV[11]) do history = string.sub(history, string.find(history, '\\n', 1, true) + 1) end
else
  history = json
end
redis.call('HSET', h, field, history)
local n = pre .. 'n:' .. ARGV[7]
redis.call('HINCRBY', n, 'o:' .. label, 1)
redis.call('PEXPIRE', n, ttl)
local result = {1}
local current = redis.call('HGET', o, field)
if force ~= '1' and current and tonumber(string.match(current, '^(%d+)|')) > tonumber(rank) then
  result = {2, current}
else
  redis.call('HSET', o, field, rank .. '|' .. json)
  if kind then
    local was = current and string.match(current, '"label":"([%w_]+)"')
    if was ~= label then
      if was then redis.call('ZREM', pre .. 'l:' .. was, field) end
      redis.call('ZADD', pre .. 'l:' .. label, ms, field)
      redis.call('PEXPIRE', pre .. 'l:' .. label, ttl)
    end
  end
end
if (label == 'review_approved' or label == 'review_rejected') and (pending or kind == 'r') then
  -- while the charge is decided its kind is not known: the record's append reads the close
  if redis.call('HSETNX', c, field, closeMs .. '|' .. json) == 1 and not pending then
    redis.call('ZREM', pre .. 'ro', field)
    redis.call('ZADD', pre .. 'rc', closeMs, field)
    redis.call('PEXPIRE', pre .. 'rc', ttl)
  end
end
for _, key in ipairs({o, h, c}) do
  if redis.call('PTTL', key) == -1 then
    local left = redis.call('PTTL', i)
    if left > 0 then redis.call('PEXPIRE', key, left) end
  end
end
return result`

/**
 * Reads a page of candidates from one sorted set of a partition, with their records.
 * KEYS: the sorted set, i, s, o, h, c. ARGV: direction ('d' newest first, 'a' oldest first), the
 * far bound (a score: '-inf', '+inf', or a time), the position to continue after (ms and field;
 * '' to start at the near end), the number of members to read past the position; and, for an
 * index kept in text pages (text-pages.ts: by kind, by rule), KEYS[9] the directory of its place
 * entries (place-entries.ts) and KEYS[8] the directory of its field entries: their pages are read,
 * with the paged set of KEYS[7] (paged-sets.ts) and the plain sorted set of KEYS[1] (written by
 * earlier versions) merged while they exist, and ARGV[6] the partition's code (place-entries.ts
 * partitionCode), which follows every place read. A member is a place and partition, or a field:
 * in the order of entry_before, one millisecond's in the order of their text.
 * Or, of one identifier digest's records, newest first: KEYS the kind's sorted set, i, s, o, h, c,
 * then the kind's postings hashes of field entries (U) and of place entries (V) (search-keys.ts);
 * ARGV 'x', the earliest time kept (13 digits, or ''), the position to continue after (time in 13
 * digits and member, or '', ''), the number of records, the digest, the partition's code. The
 * digest's entries are read from its hash fields and from the sorted set (a busy identifier's, or
 * written before the hashes), merged.
 * Returns {done (1 when nothing is left past these), then per member: the member (a place or a
 * field: where a next read continues after), score, the decision's field or false (a place whose
 * record is no longer kept), encoded record or false (no longer kept), its index entry (x) or
 * false, outcome or false, history or false, close or false}.
 * Members of the position's time are read whole (few share one ms) and those past it kept.
 */
export const READ_SCRIPT = `${TEXT_PAGED_LUA}${PLACE_LUA}${RECORD_ENTRY_LUA}
local z, i, s, o, h, c = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local mode, count = ARGV[1], tonumber(ARGV[5])
-- field, time of every member read, in order
local members = {}
local done
if mode == 'x' then
  local digest, fromMs, sfx = ARGV[6], ARGV[2], ARGV[7]
  local before = ARGV[3] ~= '' and (ARGV[3] .. ARGV[4]) or nil
  local max = before and ('(' .. digest .. ':' .. before) or ('(' .. digest .. ';')
  local raw = redis.call('ZREVRANGEBYLEX', z, max, '[' .. digest .. ':' .. fromMs, 'LIMIT', 0, count)
  local zs = {}
  for j = 1, #raw do
    local e = string.sub(raw[j], #digest + 2)
    -- a place entry: followed by the partition's code, and then past the position or not (the
    -- lex range's bound, a place and a code long, holds the place itself)
    if #e == ${PLACE_ENTRY_LENGTH} then e = e .. sfx end
    if not before or entry_before(e, before) then zs[#zs + 1] = e end
  end
  local floor = fromMs ~= '' and tonumber(fromMs) or nil
  -- the digest's entries in a postings hash (entries of length characters; code after each, when
  -- given), newest first, past the position and from the earliest time kept
  local function held (key, length, code)
    local list = {}
    local v = redis.call('HGET', key, digest)
    if v and v ~= '*' then
      for j = #v - length + 1, 1, -length do
        local e = string.sub(v, j, j + length - 1)
        if code then e = e .. code end
        if (not before or entry_before(e, before)) and (not floor or tonumber(string.sub(e, 1, 13)) >= floor) then list[#list + 1] = e end
      end
    end
    return list
  end
  -- two lists of entries, newest first, merged
  local function newest (la, lb)
    local merged, a, b = {}, 1, 1
    while a <= #la or b <= #lb do
      if b > #lb or (a <= #la and entry_before(lb[b], la[a])) then
        merged[#merged + 1] = la[a]
        a = a + 1
      else
        merged[#merged + 1] = lb[b]
        b = b + 1
      end
    end
    return merged
  end
  local all = newest(zs, newest(held(KEYS[8], ${PLACE_ENTRY_LENGTH}, sfx), held(KEYS[7], ${ENTRY_LENGTH}, nil)))
  for j = 1, math.min(#all, count) do
    members[#members + 1] = string.sub(all[j], 14)
    members[#members + 1] = string.sub(all[j], 1, 13)
  end
  done = #raw < count and #all <= count
else
  local desc = mode == 'd'
  local bound, posMs, posField = ARGV[2], ARGV[3], ARGV[4]
  -- the plain sorted set's members
  local function plain_read ()
    local list = {}
    local near
    if posMs == '' then
      near = desc and '+inf' or '-inf'
    else
      near = '(' .. posMs
      paged_same_time(z, posMs, posField, desc, list)
    end
    local more = paged_range(z, desc, near, bound, count)
    for j = 1, #more do list[#list + 1] = more[j] end
    -- members read past the position's time: fewer than asked for means none is left
    return list, #more / 2 < count
  end
  -- two lists in order (field, time...), each with whether nothing is left past it, merged: at
  -- most count, so that nothing either holds before the last is left out
  local function merge (la, da, lb, db)
    if #la == 0 and da then return lb, db end
    if #lb == 0 and db then return la, da end
    local merged = {}
    local a, b = 1, 1
    while #merged < 2 * count and (a <= #la or b <= #lb) do
      local take_a
      if b > #lb then
        take_a = true
      elseif a > #la then
        take_a = false
      else
        local ta, tb = tonumber(la[a + 1]), tonumber(lb[b + 1])
        -- the fields of one time byte by byte (Lua's comparison follows the server's locale)
        if ta ~= tb then take_a = (ta > tb) == desc else take_a = entry_before('0000000000000' .. lb[b], '0000000000000' .. la[a]) == desc end
      end
      if take_a then
        merged[#merged + 1] = la[a]
        merged[#merged + 1] = la[a + 1]
        a = a + 2
      else
        merged[#merged + 1] = lb[b]
        merged[#merged + 1] = lb[b + 1]
        b = b + 2
      end
    end
    return merged, da and db and a > #la and b > #lb
  end
  if not KEYS[7] then
    members, done = plain_read()
  else
    -- the pages of place entries, and of field entries, and the paged and plain sets of earlier
    -- versions while they exist
    members, done = text_read_p(KEYS[9], desc, bound, posMs, posField, count, ARGV[6])
    if redis.call('EXISTS', KEYS[8]) == 1 then
      local more, more_done = text_read(KEYS[8], desc, bound, posMs, posField, count)
      members, done = merge(members, done, more, more_done)
    end
    if redis.call('EXISTS', KEYS[7]) == 1 then
      local more, more_done = paged_read(KEYS[7], desc, bound, posMs, posField, count)
      members, done = merge(members, done, more, more_done)
    end
    if redis.call('EXISTS', z) == 1 then
      local more, more_done = plain_read()
      members, done = merge(members, done, more, more_done)
    end
  end
end
local out = {done and 1 or 0}
for j = 1, #members, 2 do
  local member, t = members[j], members[j + 1]
  out[#out + 1] = member
  out[#out + 1] = t
  local field, rec, x = member, false, false
  if #member == ${PLACE_KEY_LENGTH} then
    -- a place and partition: the record's stream entry
    local id = place_id(t, member)
    local e = redis.call('XRANGE', s, id, id)[1]
    field = e and e[2][2] or false
    if e then rec, x = e[2][4], e[2][6] or false end
  else
    local v = redis.call('HGET', i, field)
    if v and string.sub(v, 1, 2) ~= 'P|' then rec, x = rg_log_entry(s, v) end
  end
  out[#out + 1] = field
  out[#out + 1] = rec
  out[#out + 1] = x
  if rec then
    out[#out + 1] = redis.call('HGET', o, field) or false
    out[#out + 1] = redis.call('HGET', h, field) or false
    out[#out + 1] = redis.call('HGET', c, field) or false
  else
    out[#out + 1] = false
    out[#out + 1] = false
    out[#out + 1] = false
  end
end
return out`
