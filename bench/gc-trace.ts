/**
 * `node --import tsx bench/gc-trace.ts [--seconds 20] [--connections 50] [--last 40]`: what
 * riskgate's and the baseline's scavenges copy and promote under the bench's load.
 *
 * Each server in turn (the bundle `npm start` runs, and bench/baseline-server.ts) runs under
 * `node --trace-gc-nvp`, on a private redis-server, with `--connections` closed-loop connections
 * of the corpus's charges for `--seconds` (autocannon, as the load phase). V8 writes a line per
 * collection; those before the server was ready (its start-up) are left out. Of the last `--last`
 * scavenges it prints the means of the bytes allocated since the one before, the bytes that
 * survived (copied within the young generation) and those promoted to the old generation, and the
 * pause; then how many charges ran between two scavenges, and the bytes promoted per charge; and
 * the mark-compacts under load (what takes the promoted objects once they die) with their mean
 * pause. Unlike CPU time, what survives a scavenge follows from what a
 * request keeps alive, so two builds can be compared by it; pauses also follow the machine's load.
 *
 * Needs the build (`npm run build`) for the riskgate bundle.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { projectRoot } from '../src/signals/ip/bundled-data.js'
import { buildCorpus } from './corpus.js'
import { corpusBodies, runLoad } from './load.js'
import { startRedis } from './processes.js'
import { riskgateServers } from './servers.js'
import type { Started } from './servers.js'
import { fixed } from './stats.js'

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    last: { type: 'string', default: '40' }
  }
})
const seconds = Number(args.seconds)
const connections = Number(args.connections)
const last = Number(args.last)
for (const [name, value] of [['--seconds', seconds], ['--connections', connections], ['--last', last]] as const) {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
}

interface GcLine {
  kind: string
  /** when it ran: milliseconds since the process's V8 started */
  atMs: number
  fields: Record<string, number>
}

/**
 * the collections of a `--trace-gc-nvp` output from `fromMs` on (those of the start-up, before
 * the server was ready, left out): `<time> ms:`, `gc=<kind>` and its `name=value` fields
 */
function parseGcTrace (text: string, fromMs: number): GcLine[] {
  const lines: GcLine[] = []
  for (const line of text.split('\n')) {
    const kind = / gc=(\w+) /.exec(line)?.[1]
    const atMs = Number(/\]\s+([\d.]+) ms: /.exec(line)?.[1])
    if (kind === undefined || !(atMs >= fromMs)) continue
    const fields: Record<string, number> = {}
    for (const [, name, value] of line.matchAll(/ ([\w.]+)=([-\d.]+)%?/g)) fields[name as string] = Number(value)
    lines.push({ kind, atMs, fields })
  }
  return lines
}

interface GcSummary {
  requests: number
  scavenges: number
  allocatedMb: number
  survivedKb: number
  promotedKb: number
  pauseMs: number
  chargesBetween: number
  promotedPerCharge: number
  markCompacts: number
  markCompactPauseMs: number
}

function mean (lines: readonly GcLine[], field: string): number {
  return lines.reduce((sum, line) => sum + (line.fields[field] ?? 0), 0) / Math.max(1, lines.length)
}

function summarize (lines: readonly GcLine[], requests: number): GcSummary {
  const scavenges = lines.filter((line) => line.kind === 's')
  const tail = scavenges.slice(-last)
  const compacts = lines.filter((line) => line.kind === 'mc')
  const chargesBetween = requests / Math.max(1, scavenges.length)
  return {
    requests,
    scavenges: scavenges.length,
    allocatedMb: mean(tail, 'allocated') / 1e6,
    survivedKb: mean(tail, 'new_space_survived') / 1024,
    promotedKb: mean(tail, 'promoted') / 1024,
    pauseMs: mean(tail, 'pause'),
    chargesBetween,
    promotedPerCharge: mean(tail, 'promoted') / chargesBetween,
    markCompacts: compacts.length,
    markCompactPauseMs: mean(compacts, 'pause')
  }
}

async function main (): Promise<void> {
  const root = projectRoot()
  const work = mkdtempSync(path.join(tmpdir(), 'riskgate-gc-trace-'))
  const corpus = buildCorpus({ root })
  const torFile = path.join(work, 'tor-exits.txt')
  writeFileSync(torFile, `${corpus.torExits.join('\n')}\n`)
  const redis = await startRedis()
  const servers = riskgateServers()
  const results: Array<[string, GcSummary]> = []
  try {
    const runs: Array<[string, (file: string) => Promise<Started>]> = [
      ['riskgate', async (file) => await servers.startRiskgate({ root, torFile, redisUrl: redis.url, extraEnv: { RISKGATE_LOG_LEVEL: 'warn' }, nodeArgs: ['--trace-gc-nvp'], stdoutFile: file })],
      ['baseline', async (file) => await servers.startBaseline(redis.url, ['--trace-gc-nvp'], file)]
    ]
    for (const [name, start] of runs) {
      await redis.flush()
      const file = path.join(work, `${name}.txt`)
      const server = await start(file)
      let requests = 0
      try {
        const load = await runLoad({ port: server.port, body: corpusBodies(corpus, `gc_${name}`), connections, headers: servers.headers, durationSeconds: seconds })
        if (load.errors > 0 || load.non2xx > 0) throw new Error(`${name}: ${load.errors} errors, ${load.non2xx} non-2xx answers`)
        requests = load.requests
      } finally {
        await server.child.stop()
      }
      results.push([name, summarize(parseGcTrace(readFileSync(file, 'utf8'), server.readyMs), requests)])
    }
  } finally {
    await redis.stop()
    rmSync(work, { recursive: true, force: true })
  }
  process.stdout.write(`${seconds} s at ${connections} connections each; means of the last ${last} scavenges\n`)
  const rows: Array<[string, (s: GcSummary) => string]> = [
    ['requests answered', (s) => String(s.requests)],
    ['scavenges', (s) => String(s.scavenges)],
    ['charges between two scavenges', (s) => fixed(s.chargesBetween, 0)],
    ['allocated between scavenges, MB', (s) => fixed(s.allocatedMb, 1)],
    ['survived a scavenge (copied), KB', (s) => fixed(s.survivedKb, 0)],
    ['promoted to the old generation, KB', (s) => fixed(s.promotedKb, 0)],
    ['promoted per charge, bytes', (s) => fixed(s.promotedPerCharge, 0)],
    ['scavenge pause, ms', (s) => fixed(s.pauseMs, 2)],
    ['mark-compacts', (s) => String(s.markCompacts)],
    ['mark-compact pause, ms', (s) => fixed(s.markCompactPauseMs, 1)]
  ]
  process.stdout.write(`${''.padEnd(38)}${results.map(([name]) => name.padStart(12)).join('')}\n`)
  for (const [label, value] of rows) process.stdout.write(`${label.padEnd(38)}${results.map(([, s]) => value(s).padStart(12)).join('')}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
