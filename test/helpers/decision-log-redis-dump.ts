import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import { Cluster } from 'ioredis'
import type { Redis } from 'ioredis'
import { createRedisDecisionLog } from '../../src/decision-log/redis-store.js'
import type { Decision } from '../../src/schemas/decision.js'
import { keysOf, outcome, SUITE_HASH_KEY } from './decision-log-suite.js'
import { searchEntry } from './decision-log-search-suite.js'

/** every key under `prefix` with its whole value, as text (on a Cluster: from every master) */
export async function dumpKeys (client: Redis | Cluster, prefix: string): Promise<Array<{ key: string, text: string }>> {
  const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client]
  const out: Array<{ key: string, text: string }> = []
  for (const node of nodes) {
    for (const key of await node.keys(`${prefix}*`)) {
      const type = await node.type(key)
      let value: unknown
      if (type === 'string') value = await node.get(key)
      else if (type === 'hash') value = await node.hgetall(key)
      else if (type === 'zset') value = await node.call('ZRANGE', key, '0', '-1', 'WITHSCORES')
      else if (type === 'stream') value = await node.xrange(key, '-', '+')
      else if (type === 'set') value = await node.smembers(key)
      else if (type === 'list') value = await node.lrange(key, 0, -1)
      else throw new Error(`a key of an unexpected type: ${type}`)
      out.push({ key, text: JSON.stringify(value) })
    }
  }
  return out
}

/**
 * A property: whatever identifiers the decisions carry, none appears in clear in a key or a value
 * of the log (records, indexes, search indexes, outcome histories, counts), only their digests.
 */
export function noRawIdentifiersProperty (t: Test, clientOf: () => Redis | Cluster, runs: number): void {
  t.test('property: no raw identifier in any key or value written', async (t) => {
    const client = clientOf()
    const raw = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 12, maxLength: 12 })
    const row = fc.record({
      decision: fc.constantFrom<Decision>('allow', 'review', 'block'),
      rules: fc.subarray(['r1', 'r2', 'velocity_rule']),
      email: fc.option(raw.map((hex) => `user-${hex}@example.com`), { nil: undefined }),
      ip: fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: undefined }),
      card: fc.option(raw.map((hex) => `card-${hex}`), { nil: undefined }),
      customer: fc.option(raw.map((hex) => `cust-${hex}`), { nil: undefined }),
      close: fc.boolean()
    })
    let run = 0
    await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 12 }), async (rows) => {
      const prefix = `test:${randomUUID()}:`
      const keys = keysOf(4)
      const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix, maxPerPartition: 4 })
      run++
      const entries = rows.map((r, n) => searchEntry(keys, {
        chargeId: `ch_raw_${run}_${n}`,
        atMs: Date.UTC(2026, 10, 21, 10) + n * 1000,
        decision: r.decision,
        rules: r.rules,
        ids: {
          ...(r.email === undefined ? {} : { email: r.email }),
          ...(r.ip === undefined ? {} : { ip: r.ip }),
          ...(r.card === undefined ? {} : { card_fingerprint: r.card }),
          ...(r.customer === undefined ? {} : { customer_id: r.customer })
        }
      }))
      // one at a time: the small bound trims some as others are written
      for (const e of entries) await store.append([e])
      for (const [n, r] of rows.entries()) {
        const id = (entries[n] as (typeof entries)[number]).key.decisionId
        if (r.close) await store.closeReview(id, { outcome: outcome('review_approved', { source: 'review', actor: 'key:a' }), rank: 1, force: true })
        else await store.setOutcome(id, { outcome: outcome('fraud'), rank: 3, force: true })
      }
      const dump = await dumpKeys(client, prefix)
      const secrets = rows.flatMap((r) => [r.email, r.email?.split('@')[0], r.ip, r.card, r.customer]).filter((v): v is string => v !== undefined)
      for (const { key, text } of dump) {
        const leaked = secrets.find((secret) => key.includes(secret) || text.includes(secret))
        if (leaked !== undefined) {
          t.fail(`${leaked} in clear in ${key.slice(prefix.length)}`)
          return false
        }
      }
      return dump.length > 0
    }), { numRuns: runs })
  })
}
