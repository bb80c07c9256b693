import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { charge, scoreAuth } from '../helpers/app.js'
import { faultPhase, healthyPhase, reconnected, withoutStore, withStore } from '../helpers/fault-steps.js'
import { rawCommand } from '../helpers/redis.js'
import { connectedPort, noSecretIn, readyz, SENTINEL_IPS, SENTINEL_PASSWORD, startSentinelApp } from '../helpers/sentinel-app.js'
import { startScoreLoad } from '../helpers/score-load.js'

// A real Sentinel setup (a master, its replica, three redis-sentinel processes with quorum 2),
// password-protected on both sides: riskgate finds the master through the sentinels, and when the
// master dies under load it answers every request (degraded while no master answers), then full
// answers again from the promoted replica, without a restart.

async function score (app: FastifyInstance): Promise<{ status: number, degraded: string[] }> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })
  return { status: res.statusCode, degraded: res.json().degraded ?? [] }
}

t.test('the master through password-protected sentinels, its own password and database beside them; a failover under load', async (t) => {
  const { setup, app, logs } = await startSentinelApp(t, { db: 3, deadlineMs: 150 })
  const [masterPort, replicaPort] = setup.ports as [number, number]
  const client = app.redis as Redis
  t.match(await readyz(app), { status: 'ready', store: { kind: 'redis-sentinel', reachable: true } })
  t.equal(await connectedPort(client), masterPort, 'connected to the master the sentinels name')

  const load = startScoreLoad({ instances: () => [app], ips: SENTINEL_IPS, prefix: `ch_sentinel_${process.pid}`, seed: 5 })
  t.teardown(async () => await load.stop())
  await healthyPhase(load, 'before', 1000, 40)
  t.match(await rawCommand(masterPort, 'INFO keyspace', setup.access), /db3:keys=[1-9]/, 'the keys are in database 3')

  // the master dies: no sentinel can promote the replica before down-after-milliseconds (1 s)
  await setup.kill(masterPort)
  await faultPhase(load, 'master down', 300, 8)
  t.match(await readyz(app), { status: 'degraded', store: { kind: 'redis-sentinel', reachable: false } }, 'not ready while no master answers')

  // the sentinels agree the master is down and promote the replica; riskgate follows on its own
  await setup.masterIs(replicaPort)
  await reconnected([client])
  await healthyPhase(load, 'after', 1000, 40)
  await load.stop()

  t.equal(await connectedPort(client), replicaPort, 'connected to the promoted replica')
  t.match(await readyz(app), { status: 'ready', store: { reachable: true } })
  const answers = load.answers
  t.same(answers.filter((a) => a.status >= 500).map((a) => `${a.status} ${a.error ?? ''}`), [], 'never a 5xx')
  t.same([...new Set(answers.map((a) => a.status))], [200], 'every request answered 200')
  t.ok(load.count('master down', withoutStore) >= 8, 'degraded answers while the master was down')
  t.ok(load.count('after', withStore) >= 40, 'full answers again after the failover')
  t.match(logs.join('\n'), /redis connection restored/, 'the recovery is logged')
  noSecretIn(t, logs)
})

t.test('a wrong sentinel password: degraded at start, answers 200, no password logged', async (t) => {
  const { app, logs } = await startSentinelApp(t, { wrongSentinelPassword: true })
  t.match(await readyz(app), { status: 'degraded', store: { kind: 'redis-sentinel', reachable: false } })
  t.equal((await score(app)).status, 200)
  t.notOk(logs.join('\n').includes(`wrong-${SENTINEL_PASSWORD}`))
  noSecretIn(t, logs)
})
