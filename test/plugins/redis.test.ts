import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import type { RedisClient } from '../../src/redis/client.js'
import { DECISION_KIND } from '../../src/decision-log/recorder.js'
import { REDIS_CONNECTION_NAMES } from '../../src/plugins/redis.js'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { connectRedis } from '../helpers/redis.js'

interface Connection { id: number, addr: string, name: string }

/** the connection of a client as the server lists it (CLIENT LIST ID) */
async function connectionOf (observer: Redis, client: RedisClient): Promise<Connection | undefined> {
  const id = Number(await client.call('CLIENT', 'ID'))
  const line = String(await observer.call('CLIENT', 'LIST', 'ID', String(id))).trim()
  if (line === '') return undefined
  const field = (name: string): string => new RegExp(`(?:^| )${name}=(\\S*)`).exec(line)?.[1] ?? ''
  return { id, addr: field('addr'), name: field('name') }
}

interface Seen { command: string, keys: string[], source: string }

t.test('two connections: a charge\'s scoring call on the answers\' one, the decision log\'s appends on the writer', async (t) => {
  const { server, client } = await connectRedis(t)
  const { app } = await buildTestApp(t, { redis: { url: server.url } })
  if (app.redis === null || app.redisWriter === null) throw new Error('no Redis clients')
  const answers = await connectionOf(client, app.redis)
  const writer = await connectionOf(client, app.redisWriter)
  t.equal(answers?.name, REDIS_CONNECTION_NAMES.answers)
  t.equal(writer?.name, REDIS_CONNECTION_NAMES.writer)
  t.not(answers?.addr, writer?.addr, 'two connections')

  // every command the server runs from now on, with the address of the connection that sent it
  const monitor = await client.monitor()
  t.teardown(() => { monitor.disconnect() })
  const seen: Seen[] = []
  const marker = `sync-${randomUUID()}`
  const synced = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const [command = '', , count = '0', ...rest] = args
      if (command.toLowerCase() === 'echo' && args[1] === marker) resolve()
      seen.push({ command: command.toLowerCase(), keys: rest.slice(0, Number(count)), source })
    })
  })

  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })
  t.equal(res.statusCode, 200)
  t.same(res.json().degraded, [])
  await app.outbox.flush()
  // the monitor has seen everything sent before this
  await client.echo(marker)
  await synced

  const scripts = seen.filter((s) => s.command === 'eval' || s.command === 'evalsha')
  // the scoring call: the charge's reservation in the log and its velocity keys; an append: the
  // log's keys alone
  const scoring = scripts.filter((s) => s.keys.some((key) => key.includes(':vel:')))
  const appends = scripts.filter((s) => !scoring.includes(s) && s.keys.some((key) => /:log:\{p\d+\}:s$/.test(key)))
  t.equal(appends.length, 1, 'the record was appended by one script call')
  t.same(appends.map((s) => s.source), [writer?.addr], 'on the writer\'s connection')
  t.equal(scoring.length, 1, 'the charge was counted by one script call')
  t.same(scoring.map((s) => s.source), [answers?.addr], 'on the answers\' connection')

  await app.close()
  const left = String(await client.call('CLIENT', 'LIST', 'ID', String(answers?.id), String(writer?.id))).trim()
  t.equal(left, '', 'both connections closed with the app')
})

async function readyz (app: FastifyInstance): Promise<Record<string, unknown>> {
  return (await app.inject({ method: 'GET', url: '/readyz' })).json()
}

t.test('the writer\'s connection closed: answers stay full, /readyz says so, the records wait in the outbox and land once it is back', async (t) => {
  const { server } = await connectRedis(t)
  const { app } = await buildTestApp(t, { redis: { url: server.url } })
  t.match(await readyz(app), { status: 'ready', store: { kind: 'redis', reachable: true, writer_reachable: true }, degraded: [] })

  const writer = app.redisWriter as Redis
  const ended = new Promise((resolve) => writer.once('end', resolve))
  writer.disconnect()
  await ended
  t.match(await readyz(app), { status: 'ready', store: { reachable: true, writer_reachable: false }, degraded: [] }, 'reported; the answers are full')

  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })
  t.equal(res.statusCode, 200)
  t.same(res.json().degraded, [])
  t.equal(app.outbox.stats()[DECISION_KIND]?.queued, 1, 'its record waits in the outbox')
  t.equal(app.decisionLog.recorder.stats().written, 0)

  await writer.connect()
  t.match(await readyz(app), { store: { writer_reachable: true } })
  t.same(await app.outbox.flush(), { left: 0 })
  t.equal(app.decisionLog.recorder.stats().written, 1, 'written once the connection is back')
})
