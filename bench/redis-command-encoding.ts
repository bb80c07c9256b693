/**
 * What building a Redis script call costs the server's CPU, before any byte is sent: ioredis's own
 * path (its Command copies and flattens the arguments, and concatenates the wire text piece by
 * piece) against src/redis/lua-script.ts's (one flat array, the text joined once), each followed by
 * the UTF-8 encoding the socket write does. The call is shaped as a charge's scoring call on a
 * standalone Redis: 3 log keys and 7 velocity keys, then about 80 arguments (digests, times,
 * counts), 92 words in all. Median of 9 batches of 100,000 calls, in one process.
 *
 *   node --import tsx bench/redis-command-encoding.ts
 */
import { Command } from 'ioredis'
import { encodeCommand } from '../src/redis/lua-script.js'
import { median } from './stats.js'

const words: string[] = ['189204b8432b605e4fe11da464e1e9a1ac6f5736', '10']
for (let i = 0; i < 3; i++) words.push(`rg:v2:log:{p1}:${'iso'[i] ?? 'i'}`)
for (let i = 0; i < 7; i++) words.push(`rg:v2:vel:{ip.address:HZw2xKjYbM0bPJn0ldah${i}A}:d:card.fingerprint`)
words.push('mjgs8cYWin6RnokX2pTaQQ', 'xzSH1PeSn3dixGpi3d2P4Q', '4818311e-906f-418e-b766-552e2a38f904')
while (words.length < 92) {
  const n = words.length
  words.push(n % 4 === 0 ? `c${3_600_000 * (n % 3 + 1)}` : n % 4 === 1 ? String(1796515633250 + n) : n % 4 === 2 ? '6R_X5NjC0VfuflDSBcJAHw' : String(n % 60))
}

const socket = {}
function viaIoredis (): Buffer {
  const command = new Command('evalsha', [...words], { replyEncoding: 'utf8' })
  command.promise.catch(() => {})
  const text = command.toWritable(socket)
  return typeof text === 'string' ? Buffer.from(text) : text
}

function viaLuaScript (): Buffer {
  const own = new Array<string>(words.length)
  for (let i = 0; i < words.length; i++) own[i] = words[i] as string
  return Buffer.from(encodeCommand('evalsha', own))
}

if (!viaIoredis().equals(viaLuaScript())) throw new Error('the two paths encode different bytes')

function nsPerCall (fn: () => Buffer): number {
  const batches: number[] = []
  for (let b = 0; b < 9; b++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < 100_000; i++) fn()
    batches.push(Number(process.hrtime.bigint() - start) / 100_000)
  }
  return median(batches)
}

nsPerCall(viaIoredis)
nsPerCall(viaLuaScript)
const ioredis = nsPerCall(viaIoredis)
const own = nsPerCall(viaLuaScript)
console.log(`a script call of ${words.length} words, ${viaLuaScript().length} bytes on the wire`)
console.log(`ioredis's Command and toWritable: ${(ioredis / 1000).toFixed(2)} µs a call`)
console.log(`src/redis/lua-script.ts:          ${(own / 1000).toFixed(2)} µs a call (${(own / ioredis).toFixed(2)} × in the same run)`)
