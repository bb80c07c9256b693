import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { checkExactlyOnce } from '../helpers/exactly-once.js'
import { closes, faultPhase, healthyPhase, reconnected, redisOf } from '../helpers/fault-steps.js'
import { pollUntil } from '../helpers/poll-until.js'
import { externalRedisUrl, startRedis } from '../helpers/redis.js'
import { startScoreLoad } from '../helpers/score-load.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'

// Every answered decision is recorded exactly once and the counts are exact, while a standalone
// Redis is killed, paused and loses replies in flight under a load of merchants who retry.

const IPS = Array.from({ length: 20 }, (_, i) => `1.128.7.${i + 1}`)
const DEADLINE_MS = 150
const ownRedis = { skip: externalRedisUrl() !== undefined && 'needs a Redis of its own' }
const headers = { 'content-type': 'application/json', ...scoreAuth }

async function post (app: FastifyInstance, body: unknown): Promise<{ status: number, body: Record<string, any> }> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers, payload: JSON.stringify(body) })
  return { status: res.statusCode, body: res.json() }
}

t.test('a reservation whose reply is lost is sent again on the new connection: the attempt finds its own reservation, decides, is recorded and counted once', ownRedis, async (t) => {
  const redis = await startRedis(t)
  const proxy = await startTcpProxy(t, redis.port)
  // a deadline far longer than a reconnection: the resent call's reply comes back in time
  const { app } = await buildTestApp(t, { redis: { url: `redis://127.0.0.1:${proxy.port}` }, deadlineMs: 10_000 })
  const ip = '1.128.9.9'
  // the scoring script is loaded (a first run), so the next call runs it at once
  t.equal((await post(app, charge({ ip }))).status, 200)
  await app.outbox.flush()

  const body = charge({ ip })
  proxy.dropReplies()
  const answer = post(app, body)
  await pollUntil(async () => proxy.droppedBytes() > 0, 'the script ran and its reply was dropped')
  const closed = closes([redisOf(app)])
  proxy.resetClients()
  await closed
  const res = await answer
  t.equal(res.status, 200)
  t.equal(res.body.replayed, false)
  t.same(res.body.degraded, ['velocity'], 'decided as the holder of the reservation: only its counters are unknown')

  await app.outbox.flush()
  let records = 0
  for await (const record of app.decisionLog.store.scan()) if (record.charge_id === body.charge_id) records++
  t.equal(records, 1, 'recorded')
  const probe = await post(app, charge({ ip }))
  t.same(probe.body.degraded, [])
  t.equal(probe.body.signals.velocity.charges_per_ip_1h, 3, 'counted once: the first charge, this one, the probe')
})

t.test('standalone Redis killed, paused and losing replies under load: every answered decision recorded once, counts exact', ownRedis, async (t) => {
  // persistent: an acknowledged reservation or record survives the SIGKILL, as on a durable production Redis
  const redis = await startRedis(t, { persistent: true })
  // riskgate reaches Redis through a proxy that can lose Redis's replies and reset the connections
  const proxy = await startTcpProxy(t, redis.port)
  const config = { redis: { url: `redis://127.0.0.1:${proxy.port}` }, deadlineMs: DEADLINE_MS }
  const { app: a } = await buildTestApp(t, config)
  const { app: b } = await buildTestApp(t, config)
  const clients = [redisOf(a), redisOf(b)]
  let instances = [a]
  const load = startScoreLoad({ instances: () => instances, ips: IPS, prefix: `ch_standalone_${process.pid}` })
  t.teardown(async () => await load.stop())

  await healthyPhase(load, 'warm-up', 1000, 40)
  // a second instance takes part of the charges (and of the retries of the same charge) from now on
  instances = [a, b]
  await healthyPhase(load, 'two instances', 1000, 40)

  // (a) Redis killed (SIGKILL) with requests in flight, then restarted on its data
  let closed = closes(clients)
  await redis.kill()
  await closed
  await faultPhase(load, 'killed', 200, 8)
  await redis.restart()
  await reconnected(clients)
  await healthyPhase(load, 'restarted', 1000, 40)

  // (b) Redis paused (SIGSTOP) longer than the deadline, then resumed: it runs what it was sent meanwhile
  redis.pause()
  await faultPhase(load, 'paused', 300, 8)
  redis.resume()
  await healthyPhase(load, 'resumed', 1000, 40)

  // (c) Redis's replies lost in flight (the commands ran) longer than the deadline, then the
  // connections reset: the clients reconnect and send again what had no reply
  let dropped = proxy.droppedBytes()
  proxy.dropReplies()
  await faultPhase(load, 'replies lost', 300, 8, () => proxy.droppedBytes() > dropped)
  closed = closes(clients)
  proxy.resetClients()
  await closed
  await reconnected(clients)
  await healthyPhase(load, 'reconnected', 1000, 40)

  // (c') a reply lost and the connections reset at once, three times: the calls sent again are
  // answered within the deadline of their requests
  for (let n = 0; n < 3; n++) {
    dropped = proxy.droppedBytes()
    proxy.dropReplies()
    await pollUntil(async () => proxy.droppedBytes() > dropped, 'a reply dropped', 20_000, 1)
    closed = closes(clients)
    proxy.resetClients()
    await closed
    await reconnected(clients)
    await healthyPhase(load, `reset ${n}`, 1000, 20)
  }

  instances = [a]
  await healthyPhase(load, 'one instance', 1000, 40)
  await load.stop()
  await checkExactlyOnce(t, { apps: [a, b], answers: load.answers, ips: IPS, sent: load.sent() })
})
