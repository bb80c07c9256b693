/**
 * Child processes of the benchmark: free ports on 127.0.0.1, a private redis-server, servers
 * started with `node`, readiness polling, resident memory. Nothing here touches a Redis or a port
 * the machine already uses.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sleep } from './stats.js'

export const HOST = '127.0.0.1'

const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

/** a TCP port nothing listens on right now, on 127.0.0.1 */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, HOST, () => {
      const address = server.address()
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port)
        else reject(new Error('no port'))
      })
    })
  })
}

export interface Child {
  process: ChildProcess
  /** the last 8 KB it wrote to stderr, for error messages */
  stderr: () => string
  /** SIGTERM, then SIGKILL after `graceMs` (5 s) if it has not exited */
  stop: (graceMs?: number) => Promise<void>
}

/**
 * Starts a child whose stdout is discarded (a server's logs), or written to `stdoutFile` (V8's
 * traces: bench/gc-trace.ts), and whose stderr is kept.
 */
export function startChild (command: string, args: string[], env: NodeJS.ProcessEnv, stdoutFile?: string): Child {
  const out = stdoutFile === undefined ? 'ignore' : openSync(stdoutFile, 'w')
  const child = spawn(command, args, { env, stdio: ['ignore', out, 'pipe'] })
  // the child has its own copy of the file's descriptor
  if (typeof out === 'number') closeSync(out)
  children.add(child)
  child.once('exit', () => children.delete(child))
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-8192) })
  return {
    process: child,
    stderr: () => stderr,
    stop: async (graceMs = 5000) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    }
  }
}

/** The HTTP status of a GET, or undefined when nothing answers. */
export async function getStatus (port: number, urlPath: string): Promise<number | undefined> {
  return await new Promise((resolve) => {
    const req = request({ host: HOST, port, path: urlPath, method: 'GET', timeout: 1000 }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode))
    })
    req.once('error', () => resolve(undefined))
    req.once('timeout', () => req.destroy())
    req.end()
  })
}

/**
 * riskgate's own counters from GET /metrics: answers given (riskgate_decisions_total, all labels),
 * answers decided without a signal (riskgate_degraded_total by signal), and V8's garbage
 * collections on the main thread (prom-client's nodejs_gc_duration_seconds: scavenges, the
 * `minor` kind, and the seconds of every kind).
 */
export async function decisionCounters (port: number): Promise<{ decisions: number, degraded: Record<string, number>, scavenges: number, gcSeconds: number }> {
  const text = await fetch(`http://${HOST}:${port}/metrics`).then(async (res) => await res.text())
  let decisions = 0
  let scavenges = 0
  let gcSeconds = 0
  const degraded: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const answered = /^riskgate_decisions_total\{[^}]*\} (\d+)$/.exec(line)
    if (answered !== null) decisions += Number(answered[1])
    const missing = /^riskgate_degraded_total\{signal="([a-z_]+)"\} (\d+)$/.exec(line)
    if (missing !== null) degraded[missing[1] as string] = Number(missing[2])
    const minor = /^nodejs_gc_duration_seconds_count\{kind="minor"\} (\d+)$/.exec(line)
    if (minor !== null) scavenges = Number(minor[1])
    const seconds = /^nodejs_gc_duration_seconds_sum\{kind="[a-z]+"\} ([0-9.e+-]+)$/.exec(line)
    if (seconds !== null) gcSeconds += Number(seconds[1])
  }
  return { decisions, degraded, scavenges, gcSeconds }
}

/** Milliseconds from `startedAt` until GET `urlPath` answers 200; throws if the child exits first. */
export async function waitUntilReady (child: Child, port: number, urlPath: string, startedAt: number, timeoutMs = 30_000): Promise<number> {
  while (performance.now() - startedAt < timeoutMs) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`the server exited during start: ${child.stderr()}`)
    }
    if (await getStatus(port, urlPath) === 200) return performance.now() - startedAt
    await sleep(5)
  }
  throw new Error(`the server did not answer ${urlPath} within ${timeoutMs} ms: ${child.stderr()}`)
}

/** Resident set size of a process, in MB (Linux /proc; `ps` elsewhere). */
export async function rssMb (pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    if (match !== null) return Number(match[1]) / 1024
  } catch {
    // not Linux: ask ps
  }
  return await new Promise((resolve, reject) => {
    const ps = spawn('ps', ['-o', 'rss=', '-p', String(pid)], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    ps.stdout.on('data', (chunk: Buffer) => { out += chunk.toString('utf8') })
    ps.once('error', reject)
    ps.once('exit', () => resolve(Number(out.trim()) / 1024))
  })
}

/**
 * CPU seconds a process has used so far, all its threads: the sum of /proc/<pid>/task/<tid>/schedstat
 * (time on a CPU, in nanoseconds), or, where that is missing, utime + stime of /proc/<pid>/stat (in
 * clock ticks of 10 ms); undefined where there is no /proc. Unlike throughput, it hardly depends on
 * what else the machine runs. (Threads that ended between two readings are missed by schedstat:
 * the servers measured here keep theirs.)
 */
export async function cpuSeconds (pid: number): Promise<number | undefined> {
  try {
    let ns = 0
    for (const task of await readdir(`/proc/${pid}/task`)) {
      const line = await readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8').catch(() => '0')
      ns += Number(line.split(' ')[0])
    }
    if (Number.isFinite(ns) && ns > 0) return ns / 1e9
  } catch {
    // no schedstat: the tick counts of stat
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // the fields after the command name (which may contain spaces) in parentheses
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 of stat(5): 12 and 13 after the name; in clock ticks
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return undefined
  }
}

/** CPU seconds of one thread of a process (its main thread: `tid` = `pid`), from schedstat; undefined without it */
export async function threadCpuSeconds (pid: number, tid = pid): Promise<number | undefined> {
  try {
    const ns = Number((await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')).split(' ')[0])
    return Number.isFinite(ns) ? ns / 1e9 : undefined
  } catch {
    return undefined
  }
}

/** CPU seconds of a process's threads by thread name (/proc/<pid>/task/<tid>/comm), the main thread as `main` */
export async function cpuByThread (pid: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  try {
    for (const task of await readdir(`/proc/${pid}/task`)) {
      const [comm, line] = await Promise.all([
        readFile(`/proc/${pid}/task/${task}/comm`, 'utf8').catch(() => '?'),
        readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8').catch(() => '0')
      ])
      const name = task === String(pid) ? 'main' : comm.trim()
      out[name] = (out[name] ?? 0) + Number(line.split(' ')[0]) / 1e9
    }
  } catch {
    // no /proc
  }
  return out
}

/** USER_HZ: 100 on every Linux architecture Node runs on */
const CLOCK_TICKS = 100

/** Resident memory now and its peak (VmRSS, VmHWM of /proc/<pid>/status), in MB; NaN without /proc. */
export async function memoryStatus (pid: number): Promise<{ rssMb: number, peakMb: number }> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = (name: string): number => {
      const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status)
      return match === null ? Number.NaN : Number(match[1]) / 1024
    }
    return { rssMb: kb('VmRSS'), peakMb: kb('VmHWM') }
  } catch {
    return { rssMb: Number.NaN, peakMb: Number.NaN }
  }
}

/** The text of GET /metrics (Prometheus format). */
export async function metricsText (port: number): Promise<string> {
  return await fetch(`http://${HOST}:${port}/metrics`).then(async (res) => await res.text())
}

/** The sum of the samples of a metric (all label sets), or undefined when the server has no such metric. */
export function metricSum (text: string, name: string, labels?: string): number | undefined {
  let sum: number | undefined
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    const match = /^(\{[^}]*\})? ([-+0-9.eE]+|NaN)$/.exec(rest)
    if (match === null) continue
    if (labels !== undefined && !(match[1] ?? '').includes(labels)) continue
    sum = (sum ?? 0) + Number(match[2])
  }
  return sum
}

/** Sends one inline command to a Redis and returns its raw reply line(s). */
export async function redisCommand (port: number, command: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, HOST)
    let reply = ''
    socket.setTimeout(5000, () => socket.destroy(new Error('redis did not answer')))
    socket.once('error', reject)
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8')
      // a status or error line, or a bulk string ($<length>\r\n<data>\r\n) once it is all here
      const bulk = /^\$(\d+)\r\n/.exec(reply)
      const complete = bulk === null
        ? reply.endsWith('\r\n')
        : Buffer.byteLength(reply) >= bulk[0].length + Number(bulk[1]) + 2
      if (complete) {
        socket.end()
        resolve(reply)
      }
    })
    socket.write(`${command}\r\n`)
  })
}

/** calls and microseconds per Redis command (INFO commandstats), commands run by scripts included */
export type CommandStats = Record<string, { calls: number, usec: number }>

export interface BenchRedis {
  pid: number
  port: number
  url: string
  flush: () => Promise<void>
  /** CONFIG RESETSTAT */
  resetStats: () => Promise<void>
  commandStats: () => Promise<CommandStats>
  stop: () => Promise<void>
}

/** A private redis-server (from PATH) on a free port of 127.0.0.1: no persistence, killed at the end. */
export async function startRedis (options: { wrapper?: readonly string[], startMs?: number } = {}): Promise<BenchRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'riskgate-bench-redis-'))
  const port = await freePort()
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning']
  // a wrapper (valgrind...) runs redis-server under it
  const [command, ...rest] = [...(options.wrapper ?? []), 'redis-server', ...args]
  const child = startChild(command as string, rest, process.env)
  const deadline = performance.now() + (options.startMs ?? 5000)
  for (;;) {
    try {
      if ((await redisCommand(port, 'PING')).startsWith('+PONG')) break
    } catch {
      if (performance.now() > deadline) throw new Error(`redis-server did not start: ${child.stderr()}`)
      await sleep(20)
    }
  }
  return {
    pid: child.process.pid as number,
    port,
    url: `redis://${HOST}:${port}`,
    flush: async () => {
      const reply = await redisCommand(port, 'FLUSHALL')
      if (!reply.startsWith('+OK')) throw new Error(`FLUSHALL: ${reply}`)
    },
    resetStats: async () => {
      const reply = await redisCommand(port, 'CONFIG RESETSTAT')
      if (!reply.startsWith('+OK')) throw new Error(`CONFIG RESETSTAT: ${reply}`)
    },
    commandStats: async () => {
      const out: CommandStats = {}
      for (const match of (await redisCommand(port, 'INFO commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
        out[match[1] as string] = { calls: Number(match[2]), usec: Number(match[3]) }
      }
      return out
    },
    stop: async () => {
      await child.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
