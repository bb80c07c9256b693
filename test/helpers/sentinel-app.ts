import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { buildTestApp } from './app.js'
import { startSentinelSetup } from './redis-sentinel.js'
import type { SentinelSetup } from './redis-sentinel.js'

/**
 * What the Sentinel tests share: a password-protected Sentinel setup (a master, its replica, three
 * redis-sentinel processes with quorum 2) and an app that finds its master through the sentinels.
 */
export const PASSWORD = 'master-Pa55:w0rd'
export const SENTINEL_PASSWORD = 'sentinel-Pa55-w0rd'
export const enc = encodeURIComponent
export const SENTINEL_IPS = Array.from({ length: 20 }, (_, i) => `1.128.9.${i + 1}`)

/** the sentinels' addresses as URLs with the sentinels' password (`wrong` prefixes it: a wrong one) */
export function sentinelUrls (setup: SentinelSetup, wrong = ''): string[] {
  return setup.sentinels.map((s) => `redis://:${wrong}${enc(SENTINEL_PASSWORD)}@${s}`)
}

/** a Sentinel setup with both passwords, and an app on it (database `db` when given) */
export async function startSentinelApp (t: Test, options: { db?: number, deadlineMs?: number, wrongSentinelPassword?: boolean } = {}): Promise<{ setup: SentinelSetup, app: FastifyInstance, logs: string[] }> {
  const setup = await startSentinelSetup(t, { password: PASSWORD, sentinelPassword: SENTINEL_PASSWORD })
  const { app, logs } = await buildTestApp(t, {
    redis: {
      sentinels: sentinelUrls(setup, options.wrongSentinelPassword === true ? 'wrong-' : ''),
      sentinelName: setup.name,
      password: PASSWORD,
      ...(options.db !== undefined ? { db: options.db } : {})
    },
    ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {})
  })
  return { setup, app, logs }
}

export async function readyz (app: FastifyInstance): Promise<{ status: string, store: { kind: string, reachable: boolean } }> {
  return (await app.inject({ method: 'GET', url: '/readyz' })).json()
}

export function noSecretIn (t: Test, logs: readonly string[]): void {
  const all = logs.join('\n')
  for (const secret of [PASSWORD, SENTINEL_PASSWORD]) {
    t.notOk(all.includes(secret), 'no password in the logs')
    t.notOk(all.includes(enc(secret)), 'nor URL-encoded')
  }
}

/** the port of the Redis the client is connected to */
export async function connectedPort (client: Redis): Promise<number> {
  return Number(/tcp_port:(\d+)/.exec(await client.info('server'))?.[1])
}
