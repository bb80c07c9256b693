/**
 * Starts the built server (dist/riskgate-server.mjs, what `npm start` runs) on the bundled data, waits until GET /readyz
 * answers, then prints how long that took and the process's resident memory (Linux /proc). The
 * server listens on 127.0.0.1 on a free port, keeps its development secrets in a temporary folder,
 * and is stopped with SIGTERM at the end. Run `npm run build` first.
 *
 *   node --import tsx scripts/measure-start.ts [runs]
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../src/signals/ip/bundled-data.js'

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  return port
}

async function memoryKiB (pid: number): Promise<{ rss: number, peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rss: field('VmRSS'), peak: field('VmHWM') }
}

async function once (): Promise<{ readyMs: number, rssMiB: number, peakMiB: number }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'riskgate-measure-'))
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, ['dist/riskgate-server.mjs'], {
    cwd: projectRoot(),
    env: { PATH: process.env.PATH, RISKGATE_HOST: '127.0.0.1', RISKGATE_PORT: String(port), RISKGATE_DEV_STATE_DIR: stateDir, RISKGATE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`)
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`)
        if (res.ok) {
          await res.arrayBuffer()
          break
        }
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const readyMs = performance.now() - started
    const memory = await memoryKiB(child.pid as number)
    return { readyMs, rssMiB: memory.rss / 1024, peakMiB: memory.peak / 1024 }
  } finally {
    child.kill('SIGTERM')
    await exited
    await rm(stateDir, { recursive: true, force: true })
  }
}

const runs = Number(process.argv[2] ?? 3)
for (let i = 1; i <= runs; i++) {
  const r = await once()
  process.stdout.write(`run ${i}: /readyz answered after ${r.readyMs.toFixed(0)} ms; RSS ${r.rssMiB.toFixed(0)} MiB (peak ${r.peakMiB.toFixed(0)} MiB)\n`)
}
