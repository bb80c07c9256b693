import t from 'tap'
import type { Test } from 'tap'
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { createRuleAuditLog } from '../../src/audit/rule-audit-log.js'
import type { RuleAuditEntry, RuleAuditLog } from '../../src/audit/rule-audit-log.js'
import { connectRedis } from '../helpers/redis.js'

let client: Redis
t.before(async () => {
  ;({ client } = await connectRedis(t))
})

const entry = (n: number): RuleAuditEntry => ({
  at: new Date(Date.UTC(2026, 10, 21, 10, n)).toISOString(),
  actor: n % 2 === 0 ? 'ops' : 'SIGHUP',
  result: n % 3 === 0 ? 'refused' : 'applied',
  previous: { version: `v${n}`, hash: `h${n}` },
  loaded: n % 3 === 0 ? null : { version: `v${n + 1}`, hash: `h${n + 1}` },
  errors: n % 3 === 0 ? ['rules/ruleset.yaml:3:7 bad'] : []
})

function behaviour (t: Test, create: (maxEntries?: number) => RuleAuditLog): void {
  t.test('entries come back newest first, as appended', async (t) => {
    const log = create()
    for (let i = 0; i < 5; i++) await log.append(entry(i))
    t.same(await log.latest(3), [entry(4), entry(3), entry(2)])
    t.same(await log.latest(100), [4, 3, 2, 1, 0].map(entry))
  })
  t.test('bounded', async (t) => {
    const log = create(2)
    for (let i = 0; i < 300; i++) await log.append(entry(i))
    const kept = await log.latest(1000)
    t.ok(kept.length >= 2 && kept.length <= 200, `${kept.length} kept`)
    t.same(kept[0], entry(299))
  })
}

t.test('in process', async (t) => {
  behaviour(t, (maxEntries) => createRuleAuditLog({ redis: null, ...(maxEntries !== undefined ? { maxEntries } : {}) }))
})

t.test('Redis: one hash-tagged stream shared by every instance', async (t) => {
  behaviour(t, (maxEntries) => createRuleAuditLog({ redis: client, keyPrefix: `test:${randomUUID()}:`, ...(maxEntries !== undefined ? { maxEntries } : {}) }))
  t.test('the key', async (t) => {
    const prefix = `test:${randomUUID()}:`
    const one = createRuleAuditLog({ redis: client, keyPrefix: prefix })
    const other = createRuleAuditLog({ redis: client, keyPrefix: prefix })
    await one.append(entry(1))
    t.same(await other.latest(10), [entry(1)], 'another instance reads it')
    t.same(await client.keys(`${prefix}*`), [`${prefix}{rules}:stream`])
  })
})
