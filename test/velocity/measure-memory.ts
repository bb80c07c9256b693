/**
 * Measures the in-process velocity store's memory: bytes per entity with the default rule set
 * (every entity charged once), and bytes per cell (a bucket, a distinct value) of busy entities.
 * Not a test (numbers depend on the machine and Node): run it by hand, the figures go to
 * docs/velocity.md.
 *
 *   node --expose-gc --import tsx test/velocity/measure-memory.ts [entities] [busy | full]
 */
import path from 'node:path'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { projectRoot } from '../../src/signals/ip/bundled-data.js'
import { createMemoryVelocityStore } from '../../src/velocity/memory-store.js'
import { createVelocityPlanner } from '../../src/velocity/plan.js'
import { count, distinct, features, MINUTE, T0 } from '../helpers/velocity-fixtures.js'
import { identify } from '../helpers/velocity-identify.js'

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')
const collect = gc

function heap (): number {
  collect()
  collect()
  return process.memoryUsage().heapUsed
}

const entities = Number(process.argv[2] ?? 200_000)
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`

async function defaultRuleSet (): Promise<void> {
  const { velocity } = await loadRuleSet(path.join(projectRoot(), 'rules'))
  const plan = createVelocityPlanner(velocity)
  // the charges (features) are made first: their memory is not the store's
  const charges = Array.from({ length: entities / 4 }, (_, i) => plan(features({
    ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    email: `shopper${i}@example.com`,
    fingerprint: `fp_${i}`,
    bin: String(400000 + (i % 1000)),
    amount: 1000 + i
  })))
  const store = createMemoryVelocityStore({ maxEntities: entities })
  const before = heap()
  charges.forEach((p, i) => store.recordSync({ atMs: T0 + i, plan: p, identify }))
  const used = heap() - before
  const { entities: held, cells } = store.stats()
  // the charges stay reachable until measured (else their memory, freed, is taken off the store's)
  console.log(`default rule set (${velocity.length} counters, 4 entities a charge, ${charges.length} charges), each entity charged once:`)
  console.log(`  ${held} entities, ${cells} cells: ${mb(used)}, ${Math.round(used / held)} bytes per entity`)
}

function busy (): void {
  // 1,000 entities, each with a 1h ring full (60 buckets) and a distinct series of 200 values
  const plan = createVelocityPlanner([count('per_ip_1h', ['ip.address'], 3600), distinct('cards_per_ip_1d', 'card.fingerprint', ['ip.address'], 86_400)])
  const n = 1000
  const charges = []
  for (let k = 0; k < 200; k++) {
    for (let i = 0; i < n; i++) charges.push({ at: T0 + k * (MINUTE / 3), plan: plan(features({ ip: `10.9.${i >> 8}.${i & 255}`, fingerprint: `fp_${k}` })) })
  }
  const store = createMemoryVelocityStore()
  const before = heap()
  for (const c of charges) store.recordSync({ atMs: c.at, plan: c.plan, identify })
  const used = heap() - before
  const { entities: held, cells } = store.stats()
  console.log(`busy entities (a full 1h ring, 200 distinct values each, ${charges.length} charges):`)
  console.log(`  ${held} entities, ${cells} cells: ${mb(used)}, ${Math.round(used / held)} bytes per entity, ${Math.round(used / cells)} bytes per cell`)
}

function full (): void {
  // maxEntities entities of ten cells each: a 1h ring of four buckets, four distinct values
  const plan = createVelocityPlanner([count('per_ip_1h', ['ip.address'], 3600), distinct('cards_per_ip_1d', 'card.fingerprint', ['ip.address'], 86_400)])
  const charges = []
  for (let k = 0; k < 4; k++) {
    for (let i = 0; i < entities; i++) {
      charges.push({ at: T0 + k * MINUTE, plan: plan(features({ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, fingerprint: `fp_${k}` })) })
    }
  }
  const store = createMemoryVelocityStore({ maxEntities: entities })
  const before = heap()
  for (const c of charges) store.recordSync({ atMs: c.at, plan: c.plan, identify })
  const used = heap() - before
  const { entities: held, cells } = store.stats()
  console.log(`full store (a 1h ring of four buckets and four distinct values each, ${charges.length} charges):`)
  console.log(`  ${held} entities, ${cells} cells: ${mb(used)}, ${Math.round(used / held)} bytes per entity`)
}

// one measure per process: what one leaves behind must not count in the other
if (process.argv[3] === 'busy') busy()
else if (process.argv[3] === 'full') full()
else await defaultRuleSet()
