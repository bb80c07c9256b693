/**
 * The benchmark's baseline: the least a scoring service over HTTP and Redis must do per request.
 * A bare Fastify route with riskgate's request body schema (validated the same way), ONE Redis Lua
 * call that touches three keys (a sliding-window count per IP, email and card, keyed by HMACs as
 * any service keeping identifiers out of Redis must), and a fixed decision serialized with a
 * response schema. No auth, no logging, no rules, no IP data, no stored decision.
 *
 * Run by bench/run.ts in its own process: node dist/bench/baseline-server.js <port> <redis-url>
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Redis } from 'ioredis'
import { Type } from 'typebox'
import { ChargeContextSchema } from '../src/schemas/charge.js'

const SCRIPT = `
local out = {}
for i = 1, 3 do
  redis.call('ZADD', KEYS[i], ARGV[1], ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', ARGV[1] - 3600000)
  redis.call('PEXPIRE', KEYS[i], 3600000)
  out[i] = redis.call('ZCARD', KEYS[i])
end
return out
`

const ResponseSchema = Type.Object({
  decision_id: Type.String(),
  charge_id: Type.String(),
  decision: Type.String(),
  score: Type.Integer(),
  counts: Type.Array(Type.Integer())
})

type Record3 = (numberOfKeys: number, ...args: Array<string | number>) => Promise<number[]>

async function main (): Promise<void> {
  const [port, redisUrl] = process.argv.slice(2)
  if (port === undefined || redisUrl === undefined) throw new Error('usage: baseline-server <port> <redis-url>')
  const redis = new Redis(redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: 1 })
  redis.defineCommand('baselineRecord', { lua: SCRIPT })
  const record = (redis as unknown as Record<'baselineRecord', Record3>).baselineRecord.bind(redis)
  const hashKey = randomBytes(32)
  const key = (kind: string, value: string): string => `bl:${kind}:${createHmac('sha256', hashKey).update(value).digest('base64url').slice(0, 22)}`

  const app = Fastify({
    bodyLimit: 16 * 1024,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true, useDefaults: false } }
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.get('/readyz', async () => ({ status: 'ready' }))
  app.post('/v1/score', { schema: { body: ChargeContextSchema, response: { 200: ResponseSchema } } }, async (request) => {
    const charge = request.body
    const counts = await record(3,
      key('ip', charge.ip), key('email', charge.email ?? ''), key('card', charge.card?.fingerprint ?? ''),
      Date.now(), charge.charge_id)
    return { decision_id: randomUUID(), charge_id: charge.charge_id, decision: 'allow', score: 0, counts }
  })
  app.addHook('onClose', async () => { await redis.quit() })
  const close = (): void => { app.close().then(() => process.exit(0), () => process.exit(1)) }
  process.once('SIGTERM', close)
  process.once('SIGINT', close)
  await app.listen({ host: '127.0.0.1', port: Number(port) })
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
