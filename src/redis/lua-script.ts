import { createHash } from 'node:crypto'
import { Command } from 'ioredis'
import type { RedisClient } from './client.js'

/** a word of a script call: numbers are sent as their decimal text */
export type ScriptWord = string | number

/**
 * A Lua script sent as EVALSHA, and as EVAL on a connection that has not run it yet (or that
 * answered NOSCRIPT: a Redis restarted or flushed its scripts), as ioredis's defineCommand does.
 *
 * Why not defineCommand: on the scoring path a call has about a hundred arguments, and ioredis's
 * own path copies them three times (rest parameters, a spread, Array.prototype.flat) and builds the
 * command's wire text by concatenating each piece into a rope that the socket write then flattens:
 * 14 µs of the server's CPU per call, where building one flat array and joining its pieces once
 * takes 7, the UTF-8 encoding of the socket write included in both (bench/redis-command-encoding.ts). The bytes sent are the same (a property test compares them
 * with ioredis's own encoding); replies, errors, the offline queue, Cluster routing (by the first
 * key) and reconnects are ioredis's.
 */
export interface LuaScript {
  readonly sha: string
  run: (client: RedisClient, keys: readonly string[], args: readonly ScriptWord[]) => Promise<unknown>
}

/** `$<n>`, the RESP length prefix of a bulk string of n bytes, for the lengths most words have */
const LENGTH_PREFIXES: readonly string[] = Array.from({ length: 1024 }, (_, n) => `$${n}`)

/**
 * RESP encoding of a command: the same text as ioredis's Command.toWritable for string arguments.
 * The pieces are the length prefixes (shared strings for lengths under 1,024) and the words
 * themselves, joined once with CR LF between them: no word is copied before the join (a template
 * per word made a new string of it and its prefix, about as many bytes as the whole text again, the
 * largest allocation of a charge).
 */
export function encodeCommand (name: string, args: readonly string[]): string {
  const parts = new Array<string>(2 * args.length + 4)
  parts[0] = `*${args.length + 1}`
  parts[1] = lengthPrefix(Buffer.byteLength(name))
  parts[2] = name
  let n = 3
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    parts[n++] = lengthPrefix(Buffer.byteLength(arg))
    parts[n++] = arg
  }
  // the text ends with CR LF: an empty last piece
  parts[n] = ''
  return parts.join('\r\n')
}

function lengthPrefix (bytes: number): string {
  return bytes < LENGTH_PREFIXES.length ? LENGTH_PREFIXES[bytes] as string : `$${bytes}`
}

interface Corkable {
  cork: () => void
  uncork: () => void
}

function isCorkable (socket: object): socket is Corkable {
  return typeof (socket as Partial<Corkable>).cork === 'function' && typeof (socket as Partial<Corkable>).uncork === 'function'
}

// the connections holding this turn's script calls, written when the turn ends
let held: Corkable[] = []
const holding = new WeakSet<object>()

function writeHeld (): void {
  const sockets = held
  held = []
  for (const socket of sockets) {
    holding.delete(socket)
    socket.uncork()
  }
}

/**
 * The script calls of one turn of the event loop leave in one write per connection, when the turn
 * ends (its check phase): a loaded server starts several charges a turn, and each write to Redis's
 * socket costs the server a system call and Redis a wake-up and a read (measured: the scoring
 * call's write was the largest single item of the server's profile). Unlike ioredis's
 * auto-pipelining, nothing waits for another call's reply: each reply is handled as it arrives.
 */
export function holdUntilEndOfTurn (socket: object): void {
  if (holding.has(socket) || !isCorkable(socket)) return
  holding.add(socket)
  socket.cork()
  held.push(socket)
  if (held.length === 1) setImmediate(writeHeld)
}

function isNoScript (err: unknown): boolean {
  return err instanceof Error && err.message.includes('NOSCRIPT')
}

export function createLuaScript (lua: string): LuaScript {
  const sha = createHash('sha1').update(lua).digest('hex')
  // the sockets (connections) known to hold the script: on any other, the first call is an EVAL
  const loaded = new WeakSet<object>()

  class ScriptCommand extends Command {
    constructor (words: string[]) {
      // ioredis copies (flattens) the arguments it is given: it is given none, then the call's own
      super('evalsha', [], { replyEncoding: 'utf8' })
      this.args = words
    }

    override toWritable (socket: object): string {
      const reject = this.reject
      this.reject = (err: Error) => {
        if (isNoScript(err)) loaded.delete(socket)
        reject.call(this, err)
      }
      if (!loaded.has(socket)) {
        loaded.add(socket)
        this.name = 'eval'
        this.args[0] = lua
      } else if (this.name === 'eval') {
        this.name = 'evalsha'
        this.args[0] = sha
      }
      holdUntilEndOfTurn(socket)
      return encodeCommand(this.name, this.args as string[])
    }
  }

  function words (keys: readonly string[], args: readonly ScriptWord[]): string[] {
    const out = new Array<string>(2 + keys.length + args.length)
    out[0] = sha
    out[1] = String(keys.length)
    let n = 2
    for (let i = 0; i < keys.length; i++) out[n++] = keys[i] as string
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] as ScriptWord
      out[n++] = typeof arg === 'string' ? arg : String(arg)
    }
    return out
  }

  return {
    sha,
    run (client, keys, args) {
      const first = words(keys, args)
      const command = new ScriptCommand(first)
      command.promise = command.promise.catch(async (err: unknown) => {
        if (!isNoScript(err)) throw err
        // sent again, as an EVAL on the connection that forgot the script
        const again = new ScriptCommand(words(keys, args))
        client.sendCommand(again)
        return await again.promise
      })
      client.sendCommand(command)
      return command.promise
    }
  }
}
