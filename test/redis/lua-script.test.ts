import fc from 'fast-check'
import { Command } from 'ioredis'
import t from 'tap'
import { createLuaScript, encodeCommand } from '../../src/redis/lua-script.js'
import { connectRedis } from '../helpers/redis.js'

// every kind of text a call can carry: ASCII, accents, emoji (surrogate pairs), CR LF, empty
const word = fc.string({ unit: fc.oneof(fc.constantFrom('\r', '\n', '$', '*', 'é', '😀', '\u0000'), fc.string({ maxLength: 1 }).filter((s) => s.length === 1)), maxLength: 40 })

t.test('the wire text is the bytes ioredis itself would send', async (t) => {
  const socket = {}
  fc.assert(fc.property(fc.constantFrom('evalsha', 'eval'), fc.array(word, { maxLength: 60 }), (name, args) => {
    const theirs = new Command(name, [...args])
    theirs.promise.catch(() => {})
    const text = theirs.toWritable(socket)
    t.equal(Buffer.from(encodeCommand(name, args)).equals(typeof text === 'string' ? Buffer.from(text) : text), true)
  }), { numRuns: 500 })
})

t.test('against a real Redis: keys and arguments arrive as sent, numbers as their decimal text', async (t) => {
  const { client } = await connectRedis(t)
  const echo = createLuaScript('return {KEYS, ARGV}')
  await fc.assert(fc.asyncProperty(fc.array(word, { maxLength: 8 }), fc.array(fc.oneof(word, fc.integer()), { maxLength: 30 }), async (keys, args) => {
    const reply = await echo.run(client, keys.map((k) => `k:${k}`), args) as [string[], string[]]
    t.same(reply, [keys.map((k) => `k:${k}`), args.map(String)])
  }), { numRuns: 60 })
})

t.test('EVAL on a connection\'s first call, EVALSHA after it, and EVAL again after NOSCRIPT', async (t) => {
  const { server, client } = await connectRedis(t)
  // counts the whole server's commands, and flushes its scripts: not on a shared Redis
  if (!server.managed) {
    t.comment('skipped: RISKGATE_REDIS_URL names a shared Redis')
    return
  }
  const script = createLuaScript(`return 'once:' .. ARGV[1] -- ${Date.now()}`)
  await client.script('FLUSH')
  await client.config('RESETSTAT')
  const calls = async (): Promise<{ eval: number, evalsha: number }> => {
    const info = await client.info('commandstats')
    const count = (name: string): number => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0)
    return { eval: count('eval'), evalsha: count('evalsha') }
  }
  t.equal(await script.run(client, [], ['a']), 'once:a')
  t.equal(await script.run(client, [], ['b']), 'once:b')
  t.same(await calls(), { eval: 1, evalsha: 1 })
  // the server forgets its scripts (a restart, SCRIPT FLUSH): the call is answered all the same
  await client.script('FLUSH')
  t.equal(await script.run(client, [], ['c']), 'once:c')
  t.same(await calls(), { eval: 2, evalsha: 2 }, 'one NOSCRIPT, then the script sent whole')
  t.equal(await script.run(client, [], ['d']), 'once:d')
  t.same(await calls(), { eval: 2, evalsha: 3 })
})

t.test('a script error rejects the call with Redis\'s message', async (t) => {
  const { client } = await connectRedis(t)
  const failing = createLuaScript("return redis.error_reply('ERR riskgate test failure')")
  await t.rejects(failing.run(client, [], []), /riskgate test failure/)
})

t.test('the script calls of one turn of the event loop leave in one write', async (t) => {
  const { server, client } = await connectRedis(t)
  // the count of reads is the whole server's: another client of an external Redis would add to it
  if (!server.managed) {
    t.comment('skipped: RISKGATE_REDIS_URL names a shared Redis, whose read count is not this test\'s alone')
    return
  }
  const script = createLuaScript('return ARGV[1]')
  await script.run(client, [], ['warm'])
  // Redis counts the reads of its clients' sockets: a read for each write that reached it apart
  const reads = async (): Promise<number> => Number(/total_reads_processed:(\d+)/.exec(await client.info('stats'))?.[1])
  let before = await reads()
  const together = await Promise.all(Array.from({ length: 20 }, async (_, i) => await script.run(client, [], [`t${i}`])))
  t.same(together, Array.from({ length: 20 }, (_, i) => `t${i}`), 'each call has its own reply')
  // the INFO that reads the counter after is one more read
  const inOneTurn = await reads() - before - 1
  before = await reads()
  for (let i = 0; i < 20; i++) await script.run(client, [], [`s${i}`])
  const oneByOne = await reads() - before - 1
  t.ok(inOneTurn <= 2, `20 calls of one turn: ${inOneTurn} reads`)
  t.ok(oneByOne >= 20, `20 calls, each in its own turn: ${oneByOne} reads`)
})
