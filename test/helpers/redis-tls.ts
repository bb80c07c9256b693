import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Teardown } from './redis.js'

const run = promisify(execFile)

/** A certificate authority made for one test file, and a server certificate it signed. */
export interface TestCertificates {
  /** PEM files */
  caFile: string
  certFile: string
  keyFile: string
  /** the CA's PEM text */
  ca: string
}

/**
 * Makes, with openssl, a fresh CA and a server certificate for 127.0.0.1, ::1 and localhost,
 * valid for a day, in a temporary folder removed at teardown.
 */
export async function makeTestCertificates (t: Teardown): Promise<TestCertificates> {
  const dir = await mkdtemp(path.join(tmpdir(), 'riskgate-redis-tls-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const file = (name: string): string => path.join(dir, name)
  const openssl = async (...args: string[]): Promise<void> => { await run('openssl', args, { cwd: dir, timeout: 30_000 }) }
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=riskgate test CA')
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1')
  await writeFile(file('san.ext'), 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n')
  await openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-out', file('server.crt'), '-days', '1', '-extfile', file('san.ext'))
  return { caFile: file('ca.crt'), certFile: file('server.crt'), keyFile: file('server.key'), ca: await readFile(file('ca.crt'), 'utf8') }
}

/** redis-server arguments for TLS only on `port` (no plain TCP port), clients not asked for a certificate */
export function tlsServerArgs (port: number, certificates: TestCertificates): string[] {
  return [
    '--port', '0', '--tls-port', String(port),
    '--tls-cert-file', certificates.certFile, '--tls-key-file', certificates.keyFile, '--tls-ca-cert-file', certificates.caFile,
    '--tls-auth-clients', 'no'
  ]
}
