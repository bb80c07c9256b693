import type { FastifyInstance } from 'fastify'
import { waitForRedis } from '../../src/redis/client.js'
import type { RedisClient } from '../../src/redis/client.js'
import type { Answer, ScoreLoad } from './score-load.js'

/** how long a wait for a connection event may take on a loaded machine before the test fails (a hang detector) */
const BOUND_MS = 20_000

/** an answer decided without the store: the deadline passed before Redis answered (or Redis refused at once) */
export const withoutStore = (a: Answer): boolean => a.status === 200 && !a.replayed && a.degraded.includes('idempotency')
/** an answer decided with the charge's counters: the store answered in time */
export const withStore = (a: Answer): boolean => a.status === 200 && !a.replayed && a.velocityKnown

export function redisOf (app: FastifyInstance): RedisClient {
  if (app.redis === null) throw new Error('the app has no Redis')
  return app.redis
}

/**
 * Runs a phase of `budget` charges until `count` of its answers were decided with the store
 * (Redis answers in time again), so that a following fault finds requests in flight.
 */
export async function healthyPhase (load: ScoreLoad, phase: string, budget: number, count: number): Promise<void> {
  load.phase(phase, budget)
  await load.until(() => load.count(phase, withStore) >= count, `${phase}: ${count} answers decided with the store`)
}

/**
 * Runs a phase of `budget` charges during a fault until `count` of the answers to requests sent
 * in it were decided without the store: the fault lasted longer than the deadline for them.
 */
export async function faultPhase (load: ScoreLoad, phase: string, budget: number, count: number, also: () => boolean = () => true): Promise<void> {
  load.phase(phase, budget)
  await load.until(() => load.count(phase, withoutStore) >= count && also(), `${phase}: ${count} answers decided without the store`)
}

/** resolves once every client has seen its connection close (listen before causing it) */
export function closes (clients: readonly RedisClient[]): Promise<void> {
  // not events.once: it would reject on the 'error' event that comes with a reset connection
  const all = Promise.all(clients.map(async (client) => { await new Promise<void>((resolve) => client.once('close', () => resolve())) }))
  return bounded(all.then(() => {}), 'the Redis connections closed')
}

/** resolves once every client is connected again */
export async function reconnected (clients: readonly RedisClient[]): Promise<void> {
  const ready = await Promise.all(clients.map(async (client) => await waitForRedis(client, BOUND_MS)))
  if (ready.includes(false)) throw new Error(`a client did not reconnect within ${BOUND_MS} ms`)
}

async function bounded (promise: Promise<void>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${BOUND_MS} ms`)), BOUND_MS)
    })])
  } finally {
    clearTimeout(timer)
  }
}
