import t from 'tap'
import { closeRedis, createRedisClient, waitForRedis } from '../../src/redis/client.js'
import { entityOps } from '../../src/velocity/entity-op.js'
import { createVelocityPlanner } from '../../src/velocity/plan.js'
import { entityCall } from '../../src/velocity/record-script.js'
import { DEFAULT_VELOCITY_KEY_PREFIX } from '../../src/velocity/redis-keys.js'
import { createRedisVelocityStore } from '../../src/velocity/redis-store.js'
import { buildTestApp } from '../helpers/app.js'
import { checkExactlyOnce } from '../helpers/exactly-once.js'
import { faultPhase, healthyPhase } from '../helpers/fault-steps.js'
import { pollUntil } from '../helpers/poll-until.js'
import { rawCommand } from '../helpers/redis.js'
import { announceThroughProxies, clusterView, manualFailover, replicaOf, startRedisCluster } from '../helpers/redis-cluster.js'
import { startScoreLoad } from '../helpers/score-load.js'
import { settleWithin } from '../helpers/settle.js'
import { count, features, T0 } from '../helpers/velocity-fixtures.js'
import { identify } from '../helpers/velocity-identify.js'

// Every answered decision is recorded exactly once and the counts are exact on a Redis Cluster
// (reservation, then velocity: two steps in different slots) while masters fail over, pause and
// lose replies in flight under a load of merchants who retry.

const IPS = Array.from({ length: 20 }, (_, i) => `1.128.8.${i + 1}`)
const DEADLINE_MS = 150

t.test('3 masters + 3 replicas, a manual failover and a paused master under load: every answered decision recorded once, counts exact', async (t) => {
  // a paused master is never failed over automatically (that would lose its last acknowledged
  // writes): the pause lasts a few deadlines, far under the node timeout
  const cluster = await startRedisCluster(t, { replicasPerMaster: 1, nodeTimeoutMs: 15_000 })
  const config = { redis: { clusterNodes: cluster.nodes }, deadlineMs: DEADLINE_MS }
  const { app: a } = await buildTestApp(t, config)
  const { app: b } = await buildTestApp(t, config)
  let instances = [a]
  const load = startScoreLoad({ instances: () => instances, ips: IPS, prefix: `ch_cluster_${process.pid}`, seed: 2 })
  t.teardown(async () => await load.stop())

  await healthyPhase(load, 'warm-up', 1000, 40)
  instances = [a, b]
  await healthyPhase(load, 'two instances', 1000, 40)

  // the first master hands its slots to its replica while charges are in flight
  const [first, second] = cluster.nodes.map((node) => Number(node.split(':')[1]))
  load.phase('failover', 1000)
  await manualFailover(cluster, await replicaOf(cluster, first as number))
  await healthyPhase(load, 'failed over', 1000, 40)

  // another master paused (SIGSTOP) longer than the deadline, then resumed
  const paused = cluster.processes.find((p) => p.port === second)
  if (paused === undefined) throw new Error('no second master')
  paused.pause()
  await faultPhase(load, 'master paused', 300, 8)
  paused.resume()
  instances = [a]
  await healthyPhase(load, 'resumed', 1000, 40)

  await load.stop()
  await checkExactlyOnce(t, { apps: [a, b], answers: load.answers, ips: IPS, sent: load.sent() })
})

t.test('3 masters behind proxies, replies lost in flight then the connections reset: every answered decision recorded once, counts exact', async (t) => {
  const cluster = await startRedisCluster(t)
  const { nodes, proxies } = await announceThroughProxies(t, cluster)
  const config = { redis: { clusterNodes: nodes }, deadlineMs: DEADLINE_MS }
  const { app: a } = await buildTestApp(t, config)
  const { app: b } = await buildTestApp(t, config)
  const instances = [a, b]
  const load = startScoreLoad({ instances: () => instances, ips: IPS, prefix: `ch_cluster_lost_${process.pid}`, seed: 3 })
  t.teardown(async () => await load.stop())

  await healthyPhase(load, 'warm-up', 1000, 40)
  for (const [n, proxy] of proxies.entries()) {
    // the master's replies are lost (its commands ran) longer than the deadline, then its connections reset
    const before = proxy.droppedBytes()
    proxy.dropReplies()
    await faultPhase(load, `replies lost ${n}`, 300, 8, () => proxy.droppedBytes() > before)
    proxy.resetClients()
    await healthyPhase(load, `reconnected ${n}`, 1000, 40)
  }

  await load.stop()
  await checkExactlyOnce(t, { apps: [a, b], answers: load.answers, ips: IPS, sent: load.sent() })
})

t.test('a velocity call whose reply is lost with its connection is not sent again: it ran once, it counts once', async (t) => {
  const cluster = await startRedisCluster(t)
  const { nodes, proxies } = await announceThroughProxies(t, cluster)
  const client = createRedisClient({ clusterNodes: nodes })
  t.teardown(async () => await closeRedis(client))
  t.ok(await waitForRedis(client, 10_000))
  const store = createRedisVelocityStore({ redis: client })
  const plan = createVelocityPlanner([count('charges_per_ip_1h', ['ip.address'], 3600)])(features({ ip: '198.51.100.7' }))
  const record = async (): Promise<unknown> => await store.record({ atMs: T0, plan, identify })
  t.same(await record(), { charges_per_ip_1h: 1 })

  // the proxy of the master that holds the entity
  const [op] = entityOps(plan, T0, identify)
  if (op === undefined) throw new Error('no entity')
  const key = entityCall(DEFAULT_VELOCITY_KEY_PREFIX, op).keys[0] as string
  const seed = cluster.processes[0]?.port as number
  const slot = Number((await rawCommand(seed, `CLUSTER KEYSLOT ${key}`)).slice(1))
  const owner = (await clusterView(seed)).find((node) => node.master && node.slots.some((range) => {
    const [from, to = from] = range.split('-').map(Number)
    return from !== undefined && to !== undefined && slot >= from && slot <= to
  }))
  const proxy = proxies.find((p) => p.port === owner?.port)
  if (proxy === undefined) throw new Error(`no proxy serves slot ${slot}`)

  proxy.dropReplies()
  const lost = record()
  await pollUntil(async () => proxy.droppedBytes() > 0, 'the call ran and its reply was dropped')
  proxy.resetClients()
  t.equal(await settleWithin(lost, 10_000), 'rejected', 'the call whose reply was lost rejects (its outcome is unknown)')
  // the master is reached again (a read follows the redirection to it)
  await pollUntil(async () => { await client.exists(key); return true }, 'the master reached again')
  t.same(await record(), { charges_per_ip_1h: 3 }, 'the lost call counted once: the first call, the lost one, this one')
})
