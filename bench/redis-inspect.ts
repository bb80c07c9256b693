/**
 * What the benchmark reads of its private Redis: INFO fields, DBSIZE, the commands run, and what
 * its keys hold, grouped by key pattern (SCAN, then MEMORY USAGE of a sample of each group).
 */
import { Redis } from 'ioredis'
import type { CommandStats } from './processes.js'
import { HOST } from './processes.js'
import { sleep } from './stats.js'

/** commands the benchmark itself (or a client's handshake) sends: not the server's work */
const OWN_COMMANDS = /^(info|config\|.*|dbsize|scan|type|memory\|.*|ping|flushall|flushdb|client\|.*|hello|select|command(\|.*)?|quit)$/

export interface KeyGroup {
  /** the key with its hashes, ids and hash-tag contents replaced by `*` */
  pattern: string
  type: string
  keys: number
  sampled: number
  /** MEMORY USAGE of the sampled keys, averaged, times the keys of the group */
  estimatedBytes: number
  /** keys of the group with a TTL, among the sampled ones */
  sampledWithTtl: number
}

export interface RedisInspector {
  info: (section: string) => Promise<Record<string, string>>
  usedMemory: () => Promise<number>
  dbsize: () => Promise<number>
  /** INFO commandstats: calls and microseconds per command, those run inside scripts included */
  commandStats: () => Promise<CommandStats>
  /** the commands that are the servers' work (not the benchmark's own INFO, SCAN...) */
  serverCommands: (stats: CommandStats) => CommandStats
  breakdown: (samplePerGroup: number) => Promise<KeyGroup[]>
  close: () => Promise<void>
}

/** `rg:v2:vel:{Xy..}:d:card.fingerprint` -> `rg:v2:vel:{*}:d:card.fingerprint`; hashes and numbers -> `*` */
export function keyPattern (key: string): string {
  return key
    .replace(/\{[^}]*\}/g, '{*}')
    .split(':')
    .map((part) => (part.length >= 16 && /^[A-Za-z0-9_-]+={0,2}$/.test(part)) || /^\d+(-\d+)?$/.test(part) ? '*' : part)
    .join(':')
}

function parseInfo (text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':')
    if (at > 0 && !line.startsWith('#')) out[line.slice(0, at)] = line.slice(at + 1)
  }
  return out
}

export function inspectRedis (port: number): RedisInspector {
  const redis = new Redis({ host: HOST, port, lazyConnect: false, enableAutoPipelining: false, maxRetriesPerRequest: 1 })
  const info = async (section: string): Promise<Record<string, string>> => parseInfo(await redis.info(section))
  return {
    info,
    usedMemory: async () => Number((await info('memory')).used_memory),
    dbsize: async () => await redis.dbsize(),
    async commandStats () {
      const out: CommandStats = {}
      for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
        out[match[1] as string] = { calls: Number(match[2]), usec: Number(match[3]) }
      }
      return out
    },
    serverCommands (stats) {
      const out: CommandStats = {}
      for (const [name, stat] of Object.entries(stats)) if (!OWN_COMMANDS.test(name)) out[name] = stat
      return out
    },
    async breakdown (samplePerGroup) {
      const groups = new Map<string, { keys: number, sample: string[] }>()
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'COUNT', 1000)
        cursor = next
        for (const key of keys) {
          const pattern = keyPattern(key)
          let group = groups.get(pattern)
          if (group === undefined) groups.set(pattern, group = { keys: 0, sample: [] })
          group.keys++
          // reservoir sampling: every key of the group equally likely to be measured
          if (group.sample.length < samplePerGroup) group.sample.push(key)
          else {
            const at = Math.floor(Math.random() * group.keys)
            if (at < samplePerGroup) group.sample[at] = key
          }
        }
      } while (cursor !== '0')
      const out: KeyGroup[] = []
      for (const [pattern, group] of groups) {
        const pipeline = redis.pipeline()
        for (const key of group.sample) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0').pttl(key)
        pipeline.type(group.sample[0] as string)
        const replies = await pipeline.exec() ?? []
        let bytes = 0
        let measured = 0
        let withTtl = 0
        for (let i = 0; i < group.sample.length; i++) {
          const usage = replies[2 * i]?.[1]
          const ttl = replies[2 * i + 1]?.[1]
          if (typeof usage === 'number') { bytes += usage; measured++ }
          if (typeof ttl === 'number' && ttl >= 0) withTtl++
        }
        out.push({
          pattern,
          type: String(replies[replies.length - 1]?.[1] ?? '?'),
          keys: group.keys,
          sampled: measured,
          estimatedBytes: measured === 0 ? 0 : bytes / measured * group.keys,
          sampledWithTtl: withTtl
        })
      }
      return out.sort((a, b) => b.estimatedBytes - a.estimatedBytes)
    },
    close: async () => { await redis.quit().catch(() => redis.disconnect()) }
  }
}

export interface QuietOptions {
  /** what the server still has to write, and the metric that says so (undefined: it does not say) */
  depth?: () => Promise<{ depth: number, metric: string } | undefined>
  /** consecutive unchanged readings of Redis that make it quiet */
  stableReads?: number
  intervalMs?: number
  timeoutMs?: number
}

export interface Quiet {
  /** what said the server had written everything: its outbox metric, and Redis unchanged */
  how: string
  waitedMs: number
}

/**
 * Waits until the server has written what it writes after its answers: until its outbox depth
 * (when it reports one) is 0, then until Redis stays unchanged (keys, memory, commands run) for
 * `stableReads` readings `intervalMs` apart.
 */
export async function waitUntilQuiet (redis: RedisInspector, options: QuietOptions = {}): Promise<Quiet> {
  const started = performance.now()
  const timeoutMs = options.timeoutMs ?? 120_000
  const intervalMs = options.intervalMs ?? 100
  const stableReads = options.stableReads ?? 3
  let how = 'Redis unchanged'
  if (options.depth !== undefined) {
    for (;;) {
      const found = await options.depth()
      if (found === undefined) break
      how = `${found.metric} 0, then Redis unchanged`
      if (found.depth === 0) break
      if (performance.now() - started > timeoutMs) throw new Error(`the server still had ${found.depth} writes queued after ${timeoutMs} ms`)
      await sleep(20)
    }
  }
  const reading = async (): Promise<string> => {
    const commands = Object.values(redis.serverCommands(await redis.commandStats())).reduce((sum, s) => sum + s.calls, 0)
    return `${await redis.dbsize()} ${await redis.usedMemory()} ${commands}`
  }
  let last = await reading()
  let same = 0
  while (same < stableReads - 1) {
    if (performance.now() - started > timeoutMs) throw new Error(`Redis was still changing after ${timeoutMs} ms`)
    await sleep(intervalMs)
    const now = await reading()
    same = now === last ? same + 1 : 0
    last = now
  }
  return { how, waitedMs: performance.now() - started }
}
