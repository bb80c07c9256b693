import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { freePort, rawCommand, spawnRedisServer, stopProcess } from './redis.js'
import type { SpawnedRedis, Teardown } from './redis.js'
import { pollUntil } from './poll-until.js'
import { tlsServerArgs } from './redis-tls.js'
import type { TestCertificates } from './redis-tls.js'

export interface SecureRedisOptions {
  /** requirepass: the password of the default user */
  password?: string
  /** an ACL user allowed every command on every key, beside the default user */
  user?: { name: string, password: string }
  /** TLS only (no plain TCP port), with these certificates */
  tls?: TestCertificates
}

export interface SecureRedis {
  port: number
  /** SIGKILL */
  kill: () => Promise<void>
}

/** Sends PING over TLS and resolves the first reply line. */
export async function tlsPing (port: number, ca: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: [ca] }, () => { socket.write('PING\r\n') })
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')))
    socket.once('error', reject)
    socket.once('data', (chunk) => {
      socket.end()
      resolve(chunk.toString('utf8'))
    })
  })
}

/**
 * A real redis-server on a free port of 127.0.0.1 that asks for a password (and/or has an ACL
 * user), optionally TLS only. Resolves once it answers (PONG, or NOAUTH: it asks for the password);
 * killed and its folder removed at teardown.
 */
export async function startSecureRedis (t: Teardown, options: SecureRedisOptions): Promise<SecureRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'riskgate-redis-secure-'))
  const port = await freePort()
  const args = [
    ...(options.password !== undefined ? ['--requirepass', options.password] : []),
    ...(options.user !== undefined ? ['--user', options.user.name, 'on', `>${options.user.password}`, '~*', '&*', '+@all'] : []),
    ...(options.tls !== undefined ? tlsServerArgs(port, options.tls) : [])
  ]
  const spawned: SpawnedRedis = spawnRedisServer(port, dir, args)
  t.teardown(async () => {
    await stopProcess(spawned.child, 'SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })
  const tls = options.tls
  await pollUntil(async () => {
    if (spawned.child.exitCode !== null) throw new Error(`redis-server exited: ${spawned.output()}`)
    const reply = tls !== undefined ? await tlsPing(port, tls.ca) : await rawCommand(port, 'PING')
    return reply.startsWith('+PONG') || reply.startsWith('-NOAUTH')
  }, `redis-server on ${port} answering`, 10_000)
  return { port, kill: async () => { await stopProcess(spawned.child, 'SIGKILL') } }
}
