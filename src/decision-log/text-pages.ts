import { PAGED_LUA } from './paged-sets.js'

/**
 * Entries and text pages: the decision log's indexes as strings of fixed-width entries.
 *
 * An entry is `<time, 13 digits><field, 22 characters>` (ENTRY_LENGTH): a record's place in an
 * index, ordered by time, then by field byte by byte. The identifier postings (search-keys.ts U:)
 * hold a digest's entries in a hash field; the kind and rule indexes hold them in text pages.
 *
 * A text-paged index `D` has the shape of a paged set (paged-sets.ts), with strings for pages:
 *   D          a sorted set: page name -> the page's lower bound (a time)
 *   D:<name>   a page: a string of entries in order, about TEXT_PAGE_MAX (at most twice, or more
 *              when they share one time)
 * The pages split the times into ranges (a page holds the times from its bound up to the next
 * page's bound; all entries of one time are in one page), so read in the directory's order, the
 * pages give the entries in order.
 *
 * A sorted-set page costs Redis a search of its packed list and an insert a member; a text page
 * costs an APPEND: records arrive nearly in time order, so the usual batch comes after the last
 * page's last entry and is appended to it (three commands: the directory's last page, the page's
 * last entry and its length). A page that holds TEXT_PAGE_MAX entries is rewritten once to its
 * exact size (APPEND leaves room for growth: as much again as the string holds) and a new last
 * page starts. An append ends a page at a time boundary within TEXT_PAGE_MAX entries: the time
 * that would cross it starts the next page (only a time the page held before the append stays
 * in it whole), so that a full page stays in its allocation (below). A late entry is inserted in
 * its page (read, rewritten); a page past twice the bound is cut at a time boundary within it. Trimming cuts entries out of their page (the oldest leave
 * first: usually the first page's first entries, cut at once); a page left empty leaves the
 * directory. Measured in docs/performance.md.
 *
 * The functions run inside the log's scripts; every key they touch is built from the directory's
 * name, which carries the partition's hash tag, so they stay in the partition's slot.
 */

/** an entry: `<time, 13 digits><field, 22 characters>` */
export const ENTRY_LENGTH = 35

/**
 * The entries of a text page before the log starts a new one: 146. A full page is written once to
 * its exact size, and Redis's allocator gives a string the next of its size classes (2,048, 2,560,
 * 3,072, 3,584, 4,096, 5,120 bytes...): 146 place entries (place-entries.ts, 21 characters) and
 * the string's header (6 bytes) fill 3,072 bytes exactly; 146 field entries (35 characters,
 * written only for a record whose place does not fit) 5,116 of 5,120. A search reads a page whole
 * (GET), a trim copies the oldest page once a call (into Lua and back), an append copies nothing,
 * and a page costs a key.
 *
 * Measured (2026-12-07, field entries): Redis memory 1,566 bytes a charge with pages of 87 (3,045
 * bytes in 3,072) against 1,588 with the 64 of earlier versions (2,240 bytes in 2,560) (`npm run
 * bench`, its Redis memory phase); redis-server instructions a record appended 231,143 against
 * 233,227 (bench/redis-script-replay.ts append --merge 2 --warm --callgrind, 6,000 records
 * captured). Earlier (2026-12-06, instructions a record while the log fills / once it is full):
 * 412,815 / 539,455 with pages of 32, 408,544 / 536,907 with 64, 410,364 / 547,293 with 128.
 */
export const TEXT_PAGE_MAX = 146

/**
 * `entry_before(a, b)`: entry a sorts before entry b, as JavaScript and Redis's lex ranges order
 * them: by time, then by field byte by byte (Lua's string comparison follows the server's locale).
 * `entry_before_at(a, an, v, j)`: the same of a (its time as a number: an, converted once by the
 * caller) and the entry of v at offset j (in a string of entries, without cutting it out).
 * `entry_insert(v, e, en)`: the string of entries v with e (its time: en) in its place (v as it
 * is when it holds e). `entry_remove(v, e)`: v without entry e, or nil when v does not hold it.
 */
export function entryLua (length: number, s: string): string {
  return `
local function entry_before_at${s} (a, an, v, j)
  local tb = tonumber(string.sub(v, j, j + 12))
  if an ~= tb then return an < tb end
  for k = 14, ${length} do
    local p, q = string.byte(a, k), string.byte(v, j + k - 1)
    if p ~= q then
      -- a bound may have no field (before a time): a shorter text sorts first
      if not p then return true end
      if not q then return false end
      return p < q
    end
  end
  return false
end
local function entry_before${s} (a, b)
  return entry_before_at${s}(a, tonumber(string.sub(a, 1, 13)), b, 1)
end
local function entry_insert${s} (v, e, en)
  -- usually the newest, of a time after the last entry's: v and e, nothing cut or compared
  local j = #v - ${length - 1}
  if j < 1 then return v .. e end
  if en > tonumber(string.sub(v, j, j + 12)) then return v .. e end
  -- else searched from the end
  while j >= 1 and entry_before_at${s}(e, en, v, j) do j = j - ${length} end
  if j >= 1 and string.sub(v, j, j + ${length - 1}) == e then return v end
  return string.sub(v, 1, j + ${length - 1}) .. e .. string.sub(v, j + ${length})
end
local function entry_remove${s} (v, e)
  -- a plain find, at an entry's start
  local j = string.find(v, e, 1, true)
  while j and (j - 1) % ${length} ~= 0 do j = string.find(v, e, j + 1, true) end
  if j then return string.sub(v, 1, j - 1) .. string.sub(v, j + ${length}) end
  return nil
end`
}

export const ENTRY_LUA = entryLua(ENTRY_LENGTH, '')

/**
 * How long a text page and its directory live: the log's TTL and a slack, an hour or, when that
 * is less, a sixty-fourth of the TTL (TEXT_TTL_LUA). A page gets it when written whole, and an
 * append to the last page renews the TTLs of page and directory only once the page's time (its
 * name's) is more than half the slack old. Pages fill in seconds on a busy log, so most appends
 * renew none (two commands a directory and a call spared), and a page's TTL still outlives its
 * newest entry by the log's TTL, with half the slack to spare for a writer whose clock runs ahead.
 */
export const TEXT_TTL_LUA = `
-- ttl: the log's TTL (ms, text), now: a number. Returns the TTL of text pages (text) and the time
-- from which a last page is young (a number)
local function text_ttl (ttl, now)
  local ms = tonumber(ttl)
  local slack = math.min(3600000, math.floor(ms / 64))
  return tostring(ms + slack), now - math.floor(slack / 2)
end`

/**
 * The text-page functions for entries of `length` characters, their names ending in `s`: the
 * entry functions of entryLua(length, s) and the paged-set helpers (PAGED_LUA, once a script) must
 * be defined before.
 */
export function textPagesLua (length: number, s: string): string {
  return `
-- writes v (entries in order, of page p's range) as page p of d; past over (bytes: limit for
-- the rest of an append, twice limit for a page an insert rewrote) it is cut within limit at a
-- time boundary (back over the entries of the time that crosses limit; a page of that one time:
-- past it), the rest a new page bounded by its first time
local function text_put${s} (d, p, v, limit, ttl, over)
  while true do
    local cut = #v
    if cut > over then
      cut = limit
      local t = string.sub(v, cut + 1, cut + 13)
      while cut > 0 and string.sub(v, cut - ${length - 1}, cut - ${length - 13}) == t do cut = cut - ${length} end
      if cut == 0 then
        cut = limit
        while cut < #v and string.sub(v, cut + 1, cut + 13) == string.sub(v, cut - ${length - 1}, cut - ${length - 13}) do cut = cut + ${length} end
      end
    end
    redis.call('SET', d .. ':' .. p, string.sub(v, 1, cut), 'PX', ttl)
    if cut >= #v then return end
    v = string.sub(v, cut + 1)
    local lo = string.sub(v, 1, 13)
    p = paged_new_name(d, lo)
    redis.call('ZADD', d, lo, p)
  end
end

-- adds entries ents (in order; low: the first's time as a number) to text-paged index d; limit:
-- a page's bytes before a new page starts; ttl and young: text_ttl's (how long a page written and
-- d live; the time from which a last page is young, its TTL not renewed); newest: every entry of
-- ents sorts after every entry d holds (the place entries of records written at their own time,
-- redis-scripts.ts), so the last page's last entry is not read to compare
local function text_add${s} (d, ents, low, limit, ttl, young, newest)
  -- the last page, and its bound: its name's time (a page's bound is the time it is named by,
  -- except the first page's, lowered by a late entry: then its name's time is above its bound,
  -- and entries between the two take the general path). Numbers are passed to Redis as text:
  -- a number costs a conversion each way
  local last = redis.call('ZREVRANGE', d, '0', '0')[1]
  local bound = last and tonumber(string.sub(last, 1, 13))
  if last and low >= bound then
    local key = d .. ':' .. last
    local tail, tt = nil, false
    if not newest then
      tail = redis.call('GETRANGE', key, '-${length}', '-1')
      tt = tail ~= '' and tonumber(string.sub(tail, 1, 13))
    end
    if newest or (tt and (tt < low or (tt == low and entry_before_at${s}(tail, tt, ents[1], 1)))) then
      -- the usual case: after the last page's last entry, appended; past the page's room the
      -- rest start a new page, cut at a time boundary (one time is never split): the entries of
      -- the time of the first that does not fit go to the new page with it, so that the page
      -- stays within its room (and its allocation); only a time the page held before this batch
      -- stays in it whole, past its room
      local n = #ents
      local len = redis.call('APPEND', key, table.concat(ents))
      -- the page's length before (0: a page gone, by its TTL, that APPEND made again)
      local before = len - ${length} * n
      local j = math.max(0, limit - before) / ${length} + 1
      if j <= n then
        local t = string.sub(ents[j], 1, 13)
        while j > 1 and string.sub(ents[j - 1], 1, 13) == t do j = j - 1 end
        if j == 1 then
          -- the time of the page's entry before the batch (none before a page made again)
          local prev = nil
          if tail then
            prev = string.sub(tail, 1, 13)
          elseif before > 0 then
            prev = redis.call('GETRANGE', key, tostring(before - ${length}), tostring(before - ${length - 12}))
          end
          if prev == t then
            while j <= n and string.sub(ents[j], 1, 13) == t do j = j + 1 end
          end
        end
      end
      if j <= n then
        -- the last page is full: its own entries written to their size (APPEND leaves a string
        -- room to grow), the rest a new page
        redis.call('SET', key, redis.call('GETRANGE', key, '0', tostring(len - ${length} * (n - j + 1) - 1)), 'PX', ttl)
        local lo = string.sub(ents[j], 1, 13)
        local p = paged_new_name(d, lo)
        redis.call('ZADD', d, lo, p)
        text_put${s}(d, p, table.concat(ents, '', j, n), limit, ttl, limit)
        redis.call('PEXPIRE', d, ttl)
      elseif bound < young or before == 0 then
        redis.call('PEXPIRE', key, ttl)
        redis.call('PEXPIRE', d, ttl)
      end
      return
    end
  end
  -- late entries, or the first: each into the page of its time
  local pages, names = {}, {}
  for _, e in ipairs(ents) do
    local t = string.sub(e, 1, 13)
    local p, below
    if not last then
      last = paged_new_name(d, t)
      redis.call('ZADD', d, t, last)
      p = last
    else
      p, below = paged_page_at(d, t)
      -- below every page: the first page's bound comes down to it
      if below then redis.call('ZADD', d, t, p) end
    end
    local held = paged_held(pages, names, p)
    held[#held + 1] = e
  end
  for _, p in ipairs(names) do
    local v = redis.call('GET', d .. ':' .. p) or ''
    for _, e in ipairs(pages[p]) do v = entry_insert${s}(v, e, tonumber(string.sub(e, 1, 13))) end
    text_put${s}(d, p, v, limit, ttl, 2 * limit)
  end
  redis.call('PEXPIRE', d, ttl)
end

-- removes entries ents from text-paged index d (nums: each one's time as a number); a page left
-- empty leaves the directory
local function text_remove${s} (d, ents, nums)
  -- most are the oldest: in the first page, below the second page's bound
  local head = redis.call('ZRANGE', d, '0', '1')
  if not head[1] then return end
  -- the second page's bound: the time it is named by (only the first page's bound moves)
  local hi = head[2] and tonumber(string.sub(head[2], 1, 13))
  local pages, names = {}, {}
  for j, e in ipairs(ents) do
    local p = head[1]
    if hi and nums[j] >= hi then p = paged_page_at(d, string.sub(e, 1, 13)) end
    local held = paged_held(pages, names, p)
    held[#held + 1] = e
  end
  for _, p in ipairs(names) do
    local key = d .. ':' .. p
    local v = redis.call('GET', key)
    if v then
      local was = #v
      -- usually the page's first entries (the oldest leave first): cut once
      local held, gone = pages[p], {}
      for _, e in ipairs(held) do gone[e] = true end
      local k = 0
      while k < #held and k * ${length} < was do
        local e = string.sub(v, k * ${length} + 1, (k + 1) * ${length})
        if not gone[e] then break end
        gone[e] = nil
        k = k + 1
      end
      if k > 0 then v = string.sub(v, k * ${length} + 1) end
      -- the others, one by one
      for e in pairs(gone) do v = entry_remove${s}(v, e) or v end
      if v == '' then
        redis.call('DEL', key)
        redis.call('ZREM', d, p)
      elseif #v < was then
        redis.call('SET', key, v, 'KEEPTTL')
      end
    end
  end
end

-- Entries of text-paged index d from a position (posMs, posField; '' to start at the near end,
-- excluded) in the direction ('d' newest first), to the far bound (a score as ZRANGEBYSCORE takes
-- it), at most count. Returns a flat list {member, time...} and whether nothing is left past them.
-- A member is the entry's text after its time, and sfx after it when given (then the position
-- is compared with it: the member that names the entry among several indexes)
local function text_read${s} (d, desc, bound, posMs, posField, count, sfx)
  local members = {}
  local p = paged_first(d, desc, posMs)
  if not p then return members, true end
  local far = paged_bound(bound)
  local open = string.sub(bound, 1, 1) == '('
  local pos, posn, posHead, posTail
  if posMs ~= '' then
    posn = tonumber(posMs)
    pos = string.format('%013d', posn) .. posField
    -- with sfx: the position's entry and what follows it, compared apart (no text built an entry)
    if sfx then posHead, posTail = string.sub(pos, 1, ${length}), string.sub(pos, ${length + 1}) end
  end
  local got = 0
  while p do
    local v = redis.call('GET', d .. ':' .. p) or ''
    local n = #v / ${length}
    local first, last, step = 1, n, 1
    if desc then first, last, step = n, 1, -1 end
    if pos then
      -- the entries of other times than the position's on its near side are not past it: a
      -- binary search by time (the entries are in order) starts at the position's time
      local lo, hi = 1, n
      while lo <= hi do
        local mid = math.floor((lo + hi) / 2)
        local tm = tonumber(string.sub(v, (mid - 1) * ${length} + 1, (mid - 1) * ${length} + 13))
        if tm < posn or (desc and tm == posn) then lo = mid + 1 else hi = mid - 1 end
      end
      -- desc: the last entry at or before the position's time; else the first at or after it
      if desc then first = hi else first = lo end
    end
    for k = first, last, step do
      local j = (k - 1) * ${length} + 1
      local t = tonumber(string.sub(v, j, j + 12))
      if far and ((desc and (t < far or (open and t == far))) or (not desc and (t > far or (open and t == far)))) then return members, true end
      local past = true
      if pos then
        if sfx then
          local e = string.sub(v, j, j + ${length - 1})
          if desc then
            past = entry_before${s}(e, posHead) or (e == posHead and sfx < posTail)
          else
            past = entry_before${s}(posHead, e) or (e == posHead and posTail < sfx)
          end
        elseif desc then
          past = entry_before_at${s}(string.sub(v, j, j + ${length - 1}), t, pos, 1)
        else
          past = entry_before_at${s}(pos, posn, v, j)
        end
        -- every entry after the first past the position is past it too
        if past then pos = nil end
      end
      if past then
        local m = string.sub(v, j + 13, j + ${length - 1})
        if sfx then m = m .. sfx end
        members[#members + 1] = m
        members[#members + 1] = t
        got = got + 1
        if got >= count then return members, false end
      end
    end
    p = paged_next(d, p, desc, far)
  end
  return members, true
end
`
}

/** Lua functions over text pages of field entries (needs ENTRY_LUA, PAGED_LUA and TEXT_TTL_LUA: included) */
export const TEXT_PAGED_LUA = `${ENTRY_LUA}${PAGED_LUA}${TEXT_TTL_LUA}${textPagesLua(ENTRY_LENGTH, '')}`
