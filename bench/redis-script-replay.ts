/**
 * What one of riskgate's Lua scripts costs redis-server, call by call, measured on recorded calls:
 * the scoring script (reservation and velocity, src/idempotency/score-script.ts) or the decision
 * log's append (src/decision-log/redis-scripts.ts), as a server under load sent them, replayed in
 * order on a private, otherwise idle redis-server, with `INFO commandstats` read after: µs of the
 * script per call (and per record for the append) and of every command it ran. With a variant of
 * the script (a .lua file), the same calls run that variant instead: what a change of the script
 * would save, before writing it.
 *
 *   1. record calls: `redis-cli -p <port> MONITOR > calls.txt` for a few seconds while a riskgate
 *      server on that Redis is under load (bench/load.ts, or `npm run bench` with its Redis)
 *   2. node --import tsx bench/redis-script-replay.ts calls.txt score|append [variant.lua] [--merge N] [--warm]
 *      or, instead of a file, `--variant NAME`: one of VARIANTS below, the script with one change
 *
 * The scoring calls are replayed twice, the second time with other decision fields (new charges
 * of the same shoppers, in the same buckets): only that pass is measured, velocity's steady state.
 * The append calls are replayed once, on an empty log (large sets cost more: compare variants,
 * not absolutes), with the memory the records took (used_memory grown, and MEMORY USAGE by key
 * pattern). `--warm` replays them twice and measures the second pass: the same calls with every
 * record's time moved past the first pass's last and another decision field, so the log holds
 * the first pass's records, as a log that has been written for a while does (its hashes past
 * the size where Redis keeps them packed, identifiers with earlier entries). `--merge N` joins
 * each N consecutive append calls of a partition into one: what a longer linger would save.
 *
 * `--callgrind` runs that redis-server under `valgrind --tool=callgrind` (much slower) and reports
 * the instructions it ran during the measured replay: a count that stays the same from run to run
 * (within a fraction of a percent) on a shared, busy machine, where µs do not. Compare variants by
 * it; instructions are not time (a cache miss costs more than an instruction).
 */
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import net from 'node:net'
import { parseArgs } from 'node:util'
import { APPEND_SCRIPT } from '../src/decision-log/redis-scripts.js'
import { SCORE_SCRIPT } from '../src/idempotency/score-script.js'
import { startRedis } from './processes.js'
import { inspectRedis } from './redis-inspect.js'

/** the arguments of an append call before its records' (redis-scripts.ts APPEND_SCRIPT) */
const APPEND_HEAD = 7

/** the append's lines that index a record by its kind and by its fired rules (text pages) */
const RULE_PAGES = '    for j = 1, m do add_text(place and fired[j][5] or fired[j][1], ep, msn, place, newest) end\n'
const KIND_PAGES = "    if place then add_text(cached_key(place_kind_keys, 'E:', k), ep, msn, true, newest) else add_text(cached_key(kind_keys, 'D:', k), ep, msn) end\n"

/**
 * Variants measured in docs/performance.md: each replaces one piece of a script (the pieces are
 * looked up verbatim, so a change of the script that moves them fails here, loudly).
 */
const VARIANTS: Record<string, { of: 'score' | 'append', replace: Array<[string, string]> }> = {
  // the append without a part of its indexes: what that part costs
  'no-identifier-postings': {
    of: 'append',
    replace: [['      if stop > at then post(string.sub(x, at, at), string.sub(x, at + 1, stop - 1), ep, msn, place, newest) end\n', '']]
  },
  'no-fired-rule-index': { of: 'append', replace: [[RULE_PAGES, '']] },
  'no-kind-index': { of: 'append', replace: [[KIND_PAGES, '']] },
  'no-hourly-counts': { of: 'append', replace: [['  for n, fields in pairs(counts) do\n', '  for n, fields in pairs({}) do\n']] },
  // the kind and rule indexes as one sorted set each, by field (before paged-sets.ts and text-pages.ts)
  'plain-sets': {
    of: 'append',
    replace: [
      [RULE_PAGES, '    for j = 1, m do add(fired[j][3], ms, field) end\n'],
      [KIND_PAGES, "    add(pre .. 'k:' .. k, ms, field)\n"]
    ]
  },
  // the fired-rule (and kind) indexes as streams sharing the record's stream id: an entry `d` = field
  'fired-rule-streams': { of: 'append', replace: [[RULE_PAGES, "    for j = 1, m do redis.call('XADD', fired[j][4], id, 'd', field) end\n"]] },
  'index-streams': {
    of: 'append',
    replace: [
      [RULE_PAGES, "    for j = 1, m do redis.call('XADD', fired[j][4], id, 'd', field) end\n"],
      [KIND_PAGES, "    redis.call('XADD', pre .. 'K:' .. k, id, 'd', field)\n"]
    ]
  },
  // the fast path's two HINCRBY a ring as one HSET an entity, the numbers converted in Lua
  'score-one-hset': {
    of: 'score',
    replace: [[`        if add == '0' then
          out[base + i] = tonumber(got[3 * i - 1])
        else
          out[base + i] = redis.call('HINCRBY', hash, A[r + 3 * i - 2], add)
          -- only non-zero buckets are kept
          local slot = A[r + 3 * i - 1]
          if redis.call('HINCRBY', hash, slot, add) == 0 then redis.call('HDEL', hash, slot) end
        end
      end`, `        local total = tonumber(got[3 * i - 1])
        if add == '0' then
          out[base + i] = total
        else
          total = total + tonumber(add)
          local cur = (tonumber(got[3 * i]) or 0) + tonumber(add)
          out[base + i] = total
          local slot = A[r + 3 * i - 1]
          if cur == 0 then redis.call('HDEL', hash, slot) end
          if cur == 0 then redis.call('HSET', hash, A[r + 3 * i - 2], tostring(total))
          else redis.call('HSET', hash, A[r + 3 * i - 2], tostring(total), slot, tostring(cur)) end
        end
      end`]]
  }
}

const { values: options, positionals } = parseArgs({ allowPositionals: true, options: { merge: { type: 'string', default: '1' }, variant: { type: 'string' }, callgrind: { type: 'boolean', default: false }, warm: { type: 'boolean', default: false } } })
const [file, which, variantFile] = positionals
if (file === undefined || (which !== 'score' && which !== 'append')) {
  throw new Error(`usage: bench/redis-script-replay.ts <MONITOR capture> score|append [variant.lua] [--merge N] [--warm] [--variant ${Object.keys(VARIANTS).join('|')}]`)
}
const merge = Number(options.merge)
const script = which === 'score' ? SCORE_SCRIPT : APPEND_SCRIPT
let lua = variantFile === undefined ? script : readFileSync(variantFile, 'utf8')
const variantName = options.variant ?? variantFile
if (options.variant !== undefined) {
  const variant = VARIANTS[options.variant]
  if (variant === undefined || variant.of !== which) throw new Error(`no ${which} variant named ${options.variant}`)
  for (const [from, to] of variant.replace) {
    if (!lua.includes(from)) throw new Error(`variant ${options.variant}: the script no longer has ${JSON.stringify(from.slice(0, 60))}`)
    lua = lua.replace(from, to)
  }
}
const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex')

/** the quoted arguments of a MONITOR line, unescaped as redis-cli escapes them */
function words (line: string): string[] {
  const quoted = line.slice(line.indexOf(']') + 2).match(/"((?:[^"\\]|\\.)*)"/g) ?? []
  return quoted.map((q) => q.slice(1, -1).replace(/\\x([0-9a-f]{2})|\\(.)/g, (_, hex: string | undefined, c: string) =>
    hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c))
}

// the calls of the chosen script, from the capture: EVALSHA <sha> <numkeys> keys... args...
let calls = readFileSync(file, 'latin1').split('\n').filter((l) => l.includes('"evalsha"'))
  .map(words).filter((w) => w[1] === sha1(script))
  .map((w) => ['EVALSHA', sha1(lua), ...w.slice(2)])
if (calls.length === 0) throw new Error(`no call of the ${which} script in ${file}`)
const keyCount = (call: string[]): number => Number(call[2])
if (which === 'append' && merge > 1) {
  // an append call: 5 keys, APPEND_HEAD arguments, then 6 per record
  const byPartition = new Map<string, string[][]>()
  for (const call of calls) {
    const list = byPartition.get(call[3] as string) ?? []
    list.push(call)
    byPartition.set(call[3] as string, list)
  }
  calls = []
  for (const list of byPartition.values()) {
    for (let i = 0; i < list.length; i += merge) {
      const joined = [...list[i] as string[]]
      for (const more of list.slice(i + 1, i + merge)) joined.push(...more.slice(3 + keyCount(more) + APPEND_HEAD))
      calls.push(joined)
    }
  }
}
const records = which === 'score' ? calls.length : calls.reduce((n, c) => n + (c.length - 3 - keyCount(c) - 6) / 6, 0)

function encode (call: readonly string[]): Buffer {
  let text = `*${call.length}\r\n`
  for (const word of call) text += `$${Buffer.byteLength(word, 'latin1')}\r\n${word}\r\n`
  return Buffer.from(text, 'latin1')
}

const callgrindOut = options.callgrind ? path.join(mkdtempSync(path.join(tmpdir(), 'riskgate-callgrind-')), 'callgrind.out') : undefined
const redis = await startRedis(callgrindOut === undefined
  ? {}
  : { wrapper: ['valgrind', '--tool=callgrind', `--callgrind-out-file=${callgrindOut}`], startMs: 60_000 })
/** with --callgrind: callgrind's counts zeroed before the measured replay, and dumped after it (to `<out>.1`) */
const collect = (on: boolean): void => {
  if (callgrindOut !== undefined) execFileSync('callgrind_control', [on ? '-z' : '-d', String(redis.pid)], { stdio: 'ignore' })
}
const socket = net.connect(redis.port, '127.0.0.1')
await new Promise((resolve) => socket.once('connect', resolve))
let replies = ''
let wake: (() => void) | undefined
socket.on('data', (chunk: Buffer) => {
  replies += chunk.toString('latin1')
  wake?.()
})

/** sends the commands, then a PING whose answer says that every reply before it has come back */
async function send (commands: ReadonlyArray<readonly string[]>, marker: string): Promise<string> {
  const start = replies.length
  socket.write(Buffer.concat([...commands, ['PING', marker]].map(encode)))
  while (!replies.slice(start).includes(`$${marker.length}\r\n${marker}\r\n`)) await new Promise<void>((resolve) => { wake = resolve })
  wake = undefined
  return replies.slice(start)
}

async function replay (list: readonly string[][]): Promise<void> {
  for (let i = 0; i < list.length; i += 100) {
    const text = await send(list.slice(i, i + 100), `batch-${i}`)
    const failed = /\r\n-[A-Z]+[^\r]*/.exec(`\r\n${text}`)
    if (failed !== null) throw new Error(`a replayed call failed: ${failed[0].trim()}`)
  }
}

try {
  await send([['SCRIPT', 'LOAD', lua]], 'loaded')
  if (which === 'score') {
    await replay(calls)
    // new charges of the same shoppers: another decision field for each call
    for (const call of calls) {
      const at = 3 + keyCount(call)
      call[at] = `${(call[at] as string).slice(0, -2)}zz`
    }
  } else if (options.warm) {
    await replay(calls)
    // the same records again, later and under other decision fields: an append call's words are
    // 5 keys, APPEND_HEAD arguments (now is the third), then 6 per record (field, fingerprint, nonce, time,
    // record, index entry <kind><degraded><time, 13 digits>|...)
    const at = (call: string[]): number => 3 + keyCount(call)
    const times = calls.flatMap((call) => { const out: number[] = []; for (let j = at(call) + APPEND_HEAD; j < call.length; j += 6) out.push(Number(call[j + 3])); return out })
    const shift = Math.max(...times) - Math.min(...times) + 60_000
    for (const call of calls) {
      const a = at(call)
      call[a + 2] = String(Number(call[a + 2]) + shift)
      for (let j = a + APPEND_HEAD; j < call.length; j += 6) {
        const time = String(Number(call[j + 3]) + shift)
        call[j] = `~${(call[j] as string).slice(1)}`
        call[j + 3] = time
        call[j + 5] = `${(call[j + 5] as string).slice(0, 2)}${time}${(call[j + 5] as string).slice(15)}`
      }
    }
  }
  const inspector = inspectRedis(redis.port)
  const memoryBefore = await inspector.usedMemory()
  await redis.resetStats()
  collect(true)
  await replay(calls)
  collect(false)
  const stats = await redis.commandStats()
  const memoryGrown = await inspector.usedMemory() - memoryBefore
  const groups = which === 'append' ? await inspector.breakdown(200) : []
  await inspector.close()
  const per = which === 'score' ? 'charge' : 'record'
  console.log(`${which} script${variantName === undefined ? '' : ` (variant ${variantName})`}: ${calls.length} calls, ${records} ${per}s`)
  for (const [name, { calls: n, usec }] of Object.entries(stats).sort((x, y) => y[1].usec - x[1].usec)) {
    if (name === 'ping' || name === 'config|resetstat') continue
    console.log(`  ${name.padEnd(18)} ${(n / calls.length).toFixed(2).padStart(6)} a call  ${(usec / calls.length).toFixed(2).padStart(8)} µs a call  ${(usec / records).toFixed(2).padStart(7)} µs a ${per}`)
  }
  console.log(`  used_memory grown: ${Math.round(memoryGrown / records)} bytes a ${per}`)
  for (const g of groups.sort((a, b) => b.estimatedBytes - a.estimatedBytes)) {
    console.log(`    ${g.pattern.padEnd(40)} ${g.type.padEnd(7)} ${String(g.keys).padStart(5)} keys  ${(g.estimatedBytes / records).toFixed(1).padStart(7)} bytes a record`)
  }
} finally {
  socket.destroy()
  await redis.stop()
}
if (callgrindOut !== undefined) {
  // the dump after the measured replay: its instructions alone
  const total = Number(/^summary: (\d+)/m.exec(readFileSync(`${callgrindOut}.1`, 'utf8'))?.[1])
  const per = which === 'score' ? 'charge' : 'record'
  console.log(`  redis-server instructions (callgrind): ${(total / 1e9).toFixed(3)} G, ${Math.round(total / calls.length).toLocaleString('en-US')} a call, ${Math.round(total / records).toLocaleString('en-US')} a ${per}`)
}
