import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { createDecisionKeys } from '../../idempotency/decision-key.js'
import { createRedisDecisionLog } from '../../decision-log/redis-store.js'
import type { LogRange } from '../../decision-log/store.js'
import { defaultLogPartitions, MAX_LOG_PARTITIONS, PartitionCountMismatchError, resolveLogPartitions } from '../../decision-log/partition-count.js'
import { decisionLogKeys } from '../../decision-log/redis-keys.js'
import { DEFAULT_LOG_TTL_SECONDS } from '../../decision-log/store.js'
import { closeRedis, createRedisClient, waitForRedis } from '../../redis/client.js'
import type { RedisClient } from '../../redis/client.js'
import { connectionOf, RedisMode, resolveRedisConnection } from '../../redis/connection.js'
import { redisSettingsFromRawEnv } from '../../config/redis-settings.js'
import { parseLogRange } from '../../decision-log/range.js'
import type { CliCommand, CliIo } from '../command.js'
import { ExitCode } from '../command.js'
import { parseOptions, stringOption, usageError } from '../options.js'
import { createProgress, isTty } from '../progress.js'
import { answerDetail, serverEndpoint } from '../server-request.js'

const NAME = 'decisions export'

const USAGE = `usage: riskgate decisions export [--out <file>] [--from <time>] [--to <time>] [--url <base url>] [--quiet]

Streams every recorded decision with its latest outcome as NDJSON (one DecisionRecord a line,
oldest first): the input of \`riskgate backtest\`. Identifiers in the records are keyed hashes
(see docs/decision-log.md).

Where the records come from:
  Redis      when RISKGATE_REDIS_URL, _CLUSTER_NODES or _SENTINELS is set (and no --url): the
             decision log's partitions are read directly, as many as the log keeps (a log of an
             earlier version that keeps none: RISKGATE_DECISION_LOG_PARTITIONS, as the service's,
             or its partitions' own keys); reading needs no hash key.
  --url      a running riskgate (GET /v1/decisions/export), the only way for an instance without
             Redis. The analyst API key is read from RISKGATE_API_KEY (or --key; the environment
             keeps it out of the process list).

options:
  --out <file>     write to this file (replaced only once the export is complete) instead of stdout
  --from <time>    only decisions at or after this ISO 8601 date or time (2026-11-01, 2026-11-01T08:00:00Z)
  --to <time>      only decisions before this time
  --url <url>      base URL of a running riskgate, e.g. http://127.0.0.1:8080
  --key <secret>   analyst API key for --url (prefer RISKGATE_API_KEY)
  --quiet          no progress on stderr

exit codes: 0 exported, 2 wrong usage, 3 the source cannot be read (Redis unreachable, HTTP error)

examples:
  RISKGATE_REDIS_URL=redis://127.0.0.1:6379 riskgate decisions export --from 2026-11-01 --out november.ndjson
  RISKGATE_API_KEY=... riskgate decisions export --url http://127.0.0.1:8080 > decisions.ndjson
`

const OPTIONS = {
  out: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  url: { type: 'string' },
  key: { type: 'string' },
  quiet: { type: 'boolean' }
} as const

/** the sink: stdout, or a temporary file renamed into place once complete */
interface Sink {
  write: (text: string) => Promise<void>
  commit: () => Promise<void>
  abort: () => Promise<void>
}

function openSink (io: CliIo, out: string | undefined): Sink {
  if (out === undefined) {
    return {
      async write (text) {
        if (!io.stdout.write(text)) await once(io.stdout, 'drain')
      },
      async commit () {},
      async abort () {}
    }
  }
  const target = path.resolve(io.cwd, out)
  const partial = `${target}.partial`
  const stream = createWriteStream(partial, { mode: 0o600 })
  const closed = async (): Promise<void> => {
    if (stream.closed) return
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => { if (err != null) reject(err); else resolve() }))
  }
  return {
    async write (text) {
      if (!stream.write(text)) await once(stream, 'drain')
    },
    async commit () {
      await closed()
      await rename(partial, target)
    },
    async abort () {
      stream.destroy()
      await rm(partial, { force: true })
    }
  }
}

interface Counter { count: number }

async function fromRedis (io: CliIo, range: LogRange, sink: Sink, counter: Counter, tick: () => void): Promise<number> {
  const partitionsText = io.env.RISKGATE_DECISION_LOG_PARTITIONS
  const configured = partitionsText === undefined || partitionsText === '' ? undefined : Number(partitionsText)
  if (configured !== undefined && (!Number.isInteger(configured) || configured < 1 || configured > MAX_LOG_PARTITIONS)) {
    usageError(io, NAME, `RISKGATE_DECISION_LOG_PARTITIONS must be an integer from 1 to ${MAX_LOG_PARTITIONS}`)
    return ExitCode.USAGE
  }
  // reading the log hashes nothing: a key of this run only
  const hashKey = randomBytes(32).toString('base64url')
  let client: RedisClient
  let cluster: boolean
  try {
    const connection = connectionOf(redisSettingsFromRawEnv(io.env))
    if (connection === null) throw new Error('no Redis configured')
    cluster = resolveRedisConnection(connection).mode === RedisMode.CLUSTER
    client = createRedisClient(connection, { commandTimeoutMs: 10_000 })
  } catch (err) {
    usageError(io, NAME, (err as Error).message)
    return ExitCode.USAGE
  }
  try {
    if (!await waitForRedis(client, 5_000)) {
      io.stderr.write(`riskgate ${NAME}: Redis is not reachable\n`)
      return ExitCode.UNAVAILABLE
    }
    let partitions: number
    try {
      partitions = (await resolveLogPartitions(client, {
        keys: decisionLogKeys(),
        configured,
        fallback: defaultLogPartitions(cluster),
        ttlMs: DEFAULT_LOG_TTL_SECONDS * 1000,
        store: false
      })).partitions
    } catch (err) {
      if (!(err instanceof PartitionCountMismatchError)) throw err
      usageError(io, NAME, err.message)
      return ExitCode.USAGE
    }
    const store = createRedisDecisionLog({ redis: client, hashKey, keys: createDecisionKeys(hashKey, partitions) })
    for await (const record of store.scan(range)) {
      await sink.write(JSON.stringify(record) + '\n')
      counter.count++
      tick()
    }
    return ExitCode.OK
  } finally {
    await closeRedis(client)
  }
}

async function fromServer (io: CliIo, base: string, key: string | undefined, range: { from?: string, to?: string }, sink: Sink, counter: Counter, tick: () => void): Promise<number> {
  const endpoint = serverEndpoint(base, '/v1/decisions/export')
  if (!endpoint.ok) {
    usageError(io, NAME, endpoint.message)
    return ExitCode.USAGE
  }
  const url = endpoint.url
  if (key === undefined || key === '') {
    usageError(io, NAME, 'an analyst API key is needed with --url: set RISKGATE_API_KEY (or --key)')
    return ExitCode.USAGE
  }
  if (range.from !== undefined) url.searchParams.set('from', range.from)
  if (range.to !== undefined) url.searchParams.set('to', range.to)
  let response: Response
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${key}`, accept: 'application/x-ndjson' } })
  } catch (err) {
    io.stderr.write(`riskgate ${NAME}: ${url.origin} cannot be reached: ${(err as Error).message}\n`)
    return ExitCode.UNAVAILABLE
  }
  if (!response.ok || response.body === null) {
    io.stderr.write(`riskgate ${NAME}: ${url.origin} answered ${response.status}${await answerDetail(response)}\n`)
    return ExitCode.UNAVAILABLE
  }
  const decoder = new TextDecoder()
  let pending = ''
  for await (const chunk of response.body) {
    pending += decoder.decode(chunk as Uint8Array, { stream: true })
    const end = pending.lastIndexOf('\n')
    if (end < 0) continue
    const complete = pending.slice(0, end + 1)
    pending = pending.slice(end + 1)
    await sink.write(complete)
    for (let i = complete.indexOf('\n'); i >= 0; i = complete.indexOf('\n', i + 1)) counter.count++
    tick()
  }
  pending += decoder.decode()
  if (pending !== '') {
    // the server ends every record with a newline: a partial line means the stream was cut
    io.stderr.write(`riskgate ${NAME}: the export from ${url.origin} ended in the middle of a record\n`)
    return ExitCode.UNAVAILABLE
  }
  return ExitCode.OK
}

export const decisionsExportCommand: CliCommand = {
  path: ['decisions', 'export'],
  summary: 'stream recorded decisions with their outcomes as NDJSON (from Redis or a running riskgate)',
  usage: USAGE,
  async run (argv, io) {
    const parsed = parseOptions(argv, OPTIONS, 0)
    if (!parsed.ok) {
      usageError(io, NAME, parsed.message)
      return ExitCode.USAGE
    }
    const values = parsed.values
    const from = stringOption(values, 'from')
    const to = stringOption(values, 'to')
    const parsedRange = parseLogRange({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) })
    if (!parsedRange.ok) {
      usageError(io, NAME, `--${parsedRange.bound} takes an ISO 8601 date or time (2026-11-21 or 2026-11-21T10:00:00Z)`)
      return ExitCode.USAGE
    }
    const range = parsedRange.range
    const url = stringOption(values, 'url')
    const redisConfigured = ['RISKGATE_REDIS_URL', 'RISKGATE_REDIS_CLUSTER_NODES', 'RISKGATE_REDIS_SENTINELS'].some((name) => (io.env[name] ?? '') !== '')
    if (url === undefined && !redisConfigured) {
      usageError(io, NAME, 'no source: set RISKGATE_REDIS_URL (or RISKGATE_REDIS_CLUSTER_NODES, or RISKGATE_REDIS_SENTINELS), or pass --url of a running riskgate')
      return ExitCode.USAGE
    }

    const out = stringOption(values, 'out')
    const sink = openSink(io, out)
    const counter: Counter = { count: 0 }
    const progress = values.quiet === true ? undefined : createProgress(io.stderr, { label: 'exporting decisions', tty: isTty(io.stderr) })
    const tick = (): void => { progress?.update(counter.count, counter.count) }
    let code: number
    try {
      code = url !== undefined
        ? await fromServer(io, url, stringOption(values, 'key') ?? io.env.RISKGATE_API_KEY, { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }, sink, counter, tick)
        : await fromRedis(io, range, sink, counter, tick)
    } catch (err) {
      io.stderr.write(`riskgate ${NAME}: the export failed after ${counter.count} records: ${(err as Error).message}\n`)
      code = ExitCode.UNAVAILABLE
    }
    if (code !== ExitCode.OK) {
      await sink.abort()
      return code
    }
    await sink.commit()
    progress?.finish(counter.count)
    return ExitCode.OK
  }
}
