import { entryLua, textPagesLua } from './text-pages.js'

/**
 * Place entries: the kind, rule and identifier indexes' entries as the log writes them now,
 * `<time, 13 digits><place, 8 characters>` (21 characters), where the place is the record's stream
 * entry: its id's time less the decision time (6 digits) and its sequence number (2 digits), in
 * base 64 with the digits of PLACE_DIGITS (in byte order, so that a place's text sorts as its
 * numbers). A record decided and written in time has an id of its own time (the difference is
 * 0); one that comes late (behind a newer record of its partition) is written at Redis's time.
 *
 * An entry of earlier versions (`<time><field>`, 35 characters, text-pages.ts) named the decision
 * by its field: 22 characters, and a read went from the field to the index hash (`i`) to the
 * stream. A place is 8, and a read goes from it to the stream. The entries of one millisecond sort
 * by place (the order the log wrote them) and, in a search over the partitions, then by partition
 * (PLACE_KEY_LENGTH), where fields sorted by decision id: a search gives one millisecond's
 * decisions in an order of its own.
 *
 * A record whose place does not fit (written more than 2.2 years after its decision time, or the
 * 4,097th of one millisecond in a partition) is indexed as earlier versions did, by its field, in
 * the earlier keys (D, G, U), which the reads merge in; its index entry in the stream says which
 * (see redis-scripts.ts).
 */

/** the digits of a place, in byte order */
export const PLACE_DIGITS = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz'

/** a place: 6 digits of the id's time less the decision time, 2 of its sequence number */
export const PLACE_LENGTH = 8

/** an entry: `<time, 13 digits><place>` */
export const PLACE_ENTRY_LENGTH = 13 + PLACE_LENGTH

/**
 * A place names a record in its partition's stream; a search reads the partitions' indexes merged,
 * so its members are places followed by their partition (2 digits): unique, ordered by place,
 * then partition.
 */
export const PLACE_KEY_LENGTH = PLACE_LENGTH + 2

/** a partition (0 to 4,095) as the 2 digits that follow its places in a search's members */
export function partitionCode (partition: number): string {
  if (!Number.isSafeInteger(partition) || partition < 0 || partition >= 64 ** 2) throw new RangeError('a partition is 0 to 4095')
  return `${PLACE_DIGITS.charAt(Math.floor(partition / 64))}${PLACE_DIGITS.charAt(partition % 64)}`
}

/** the largest difference of times a place holds (ms): 64^6 - 1, about 2.2 years */
export const PLACE_DELTA_MAX = 64 ** 6 - 1

/**
 * A record written longer than this after its decision time (by the caller's clock) is indexed by
 * its field from the start: its place could not fit (a day's margin for Redis's clock)
 */
export const PLACE_FAR_MS = PLACE_DELTA_MAX - 86_400_000

/** the largest sequence number a place holds */
export const PLACE_SEQ_MAX = 64 ** 2 - 1

/**
 * The stream id of a place entry's record (`<ms>-<seq>`), or undefined for an entry of another kind
 * (a field): what the read script computes, in JavaScript for tests and tools.
 */
export function placeId (ms: number, place: string): string | undefined {
  if (place.length !== PLACE_LENGTH) return undefined
  let delta = 0
  let seq = 0
  for (let k = 0; k < PLACE_LENGTH; k++) {
    const digit = PLACE_DIGITS.indexOf(place.charAt(k))
    if (digit < 0) return undefined
    if (k < 6) delta = delta * 64 + digit
    else seq = seq * 64 + digit
  }
  return `${ms + delta}-${seq}`
}

/**
 * Lua: `place_of(ms, seq, t)`, the place of a record whose stream id is ms-seq (numbers) and whose
 * decision time is t (a number), or nil when it does not fit; `place_id(t, place)`, the stream id
 * of a place (t a number or its text); the text-page functions of place entries, named with `_p`
 * (text-pages.ts: text_add_p, text_read_p, text_remove_p...). Needs TEXT_PAGED_LUA (the paged-set
 * helpers) before it.
 */
export const PLACE_LUA = `
local PLACE_DIGITS = '${PLACE_DIGITS}'
local PLACE_ZERO = '------'
local function place_digits (n, width)
  local out = {}
  for k = width, 1, -1 do
    local d = n % 64
    out[k] = string.sub(PLACE_DIGITS, d + 1, d + 1)
    n = (n - d) / 64
  end
  return table.concat(out)
end
-- the places of a record in time, one of the first 64 of its millisecond (the usual): made once a call
local place_first = {}
local function place_of (ms, seq, t)
  local delta = ms - t
  if delta < 0 or delta > ${PLACE_DELTA_MAX} or seq > ${PLACE_SEQ_MAX} then return nil end
  if delta == 0 and seq < 64 then
    local p = place_first[seq]
    if not p then
      p = PLACE_ZERO .. '-' .. string.sub(PLACE_DIGITS, seq + 1, seq + 1)
      place_first[seq] = p
    end
    return p
  end
  return place_digits(delta, 6) .. place_digits(seq, 2)
end
local function place_id (t, place)
  local delta, seq = 0, 0
  -- usually a record in time: no difference to read
  if string.sub(place, 1, 6) ~= PLACE_ZERO then
    for k = 1, 6 do delta = delta * 64 + string.find(PLACE_DIGITS, string.sub(place, k, k), 1, true) - 1 end
  end
  for k = 7, 8 do seq = seq * 64 + string.find(PLACE_DIGITS, string.sub(place, k, k), 1, true) - 1 end
  return string.format('%.0f', tonumber(t) + delta) .. '-' .. seq
end
${entryLua(PLACE_ENTRY_LENGTH, '_p')}${textPagesLua(PLACE_ENTRY_LENGTH, '_p')}`
