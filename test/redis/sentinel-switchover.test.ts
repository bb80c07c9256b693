import t from 'tap'
import type { Redis } from 'ioredis'
import { runCli } from '../../src/cli/main.js'
import { rootDir } from '../helpers/app.js'
import { captureIo } from '../helpers/cli-io.js'
import { healthyPhase, reconnected, withStore } from '../helpers/fault-steps.js'
import { pollUntil } from '../helpers/poll-until.js'
import { rawCommand } from '../helpers/redis.js'
import { connectedPort, noSecretIn, PASSWORD, readyz, SENTINEL_IPS, SENTINEL_PASSWORD, sentinelUrls, startSentinelApp } from '../helpers/sentinel-app.js'
import { startScoreLoad } from '../helpers/score-load.js'

// A real Sentinel setup (a master, its replica, three redis-sentinel processes with quorum 2),
// password-protected on both sides: an operator's switch-over (SENTINEL FAILOVER) under load. The
// sentinel promotes the replica and closes the old master's client connections; riskgate asks the
// sentinels again and answers from the new master, never a 5xx. (The master killed under load:
// sentinel.test.ts.)

t.test('a switch-over (SENTINEL FAILOVER) under load: riskgate follows the sentinels to the promoted replica, never a 5xx, without a restart', async (t) => {
  const { setup, app, logs } = await startSentinelApp(t, { deadlineMs: 150 })
  const [first, second] = setup.ports as [number, number]
  const client = app.redis as Redis
  t.match(await readyz(app), { status: 'ready', store: { kind: 'redis-sentinel', reachable: true } })
  t.equal(await connectedPort(client), first, 'connected to the master the sentinels name')

  const load = startScoreLoad({ instances: () => [app], ips: SENTINEL_IPS, prefix: `ch_sentinel_${process.pid}`, seed: 5 })
  t.teardown(async () => await load.stop())
  await healthyPhase(load, 'before', 1000, 40)

  // a switch-over (SENTINEL FAILOVER): the replica is promoted, the old master made its replica and
  // its client connections closed by the sentinel; riskgate asks the sentinels again
  load.phase('switch-over', 1000)
  await setup.failover()
  await setup.masterIs(second)
  await pollUntil(async () => await connectedPort(client) === second, 'riskgate on the promoted replica')
  // the sentinels make the old master a replica only seconds later (they first wait for news of
  // it, 8 s): riskgate moved on their announcement, not because the old master dropped it, so no
  // write of it went to a master about to be demoted
  t.match(await rawCommand(first, 'INFO replication', setup.access), /role:master/, 'moved while the old master still took writes')
  await reconnected([client])
  await healthyPhase(load, 'switched', 1000, 40)
  t.equal(await connectedPort(client), second, 'still on the promoted replica')

  await load.stop()

  t.match(await readyz(app), { status: 'ready', store: { reachable: true } })
  await app.outbox.flush()

  // `riskgate decisions export` reads the log through the same settings: it finds the new master
  const io = captureIo({
    cwd: rootDir,
    env: {
      RISKGATE_REDIS_SENTINELS: sentinelUrls(setup).join(','),
      RISKGATE_REDIS_SENTINEL_NAME: setup.name,
      RISKGATE_REDIS_PASSWORD: PASSWORD
    }
  })
  t.equal(await runCli(['decisions', 'export', '--quiet'], io), 0, io.err())
  const exported = io.out().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { decision_id: string })
  const answered = new Set(load.answers.filter(withStore).map((a) => a.decisionId))
  t.ok(exported.filter((record) => answered.has(record.decision_id)).length >= 40, 'the decisions recorded after the switch-over are exported')
  t.notOk(io.err().includes(PASSWORD) || io.err().includes(SENTINEL_PASSWORD), 'no password on stderr')

  const answers = load.answers
  t.same(answers.filter((a) => a.status >= 500).map((a) => `${a.status} ${a.error ?? ''}`), [], 'never a 5xx')
  t.same([...new Set(answers.map((a) => a.status))], [200], 'every request answered 200')
  t.ok(load.count('switched', withStore) >= 40, 'full answers after the switch-over')
  noSecretIn(t, logs)
})
