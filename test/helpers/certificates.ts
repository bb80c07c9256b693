import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

interface Teardown { teardown: (fn: () => unknown) => void }

/** A certificate and its key, as PEM files. */
export interface CertFiles { cert: string, key: string }

export interface IssueOptions {
  /** subject common name */
  cn: string
  /** hex serial number, e.g. '1001' */
  serial: string
  /** subjectAltName, e.g. 'IP:127.0.0.1,DNS:localhost' */
  san?: string
  usage: 'serverAuth' | 'clientAuth'
  /** negative: expired since yesterday (default 30) */
  days?: number
  /** default 'ec' (fast); the server certificate of the cipher tests is RSA, so that RSA key exchange can be offered */
  keyType?: 'ec' | 'rsa'
}

export interface TestPki {
  dir: string
  /** the CA of riskgate's clients (and of its server certificate) */
  ca: CertFiles
  /** a CA nobody trusts */
  otherCa: CertFiles
  /** a certificate signed by `ca` (or by `otherCa`), written to `<name>.pem` and `<name>.key` */
  issue: (name: string, options: IssueOptions, by?: CertFiles) => Promise<CertFiles>
}

async function openssl (args: string[]): Promise<void> {
  await run('openssl', args)
}

async function newKey (file: string, type: 'ec' | 'rsa'): Promise<void> {
  await openssl(type === 'ec'
    ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]
    : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file])
}

async function selfSignedCa (dir: string, name: string, cn: string): Promise<CertFiles> {
  const files = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) }
  await newKey(files.key, 'ec')
  await openssl(['req', '-x509', '-new', '-key', files.key, '-out', files.cert, '-days', '30', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  return files
}

/**
 * A throw-away PKI made with the openssl command in a temp folder: two CAs, and certificates
 * issued on demand (server or client, valid or expired), removed at teardown.
 */
export async function createTestPki (t: Teardown): Promise<TestPki> {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-pki-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const [ca, otherCa] = await Promise.all([
    selfSignedCa(dir, 'ca', 'riskgate test CA'),
    selfSignedCa(dir, 'other-ca', 'untrusted test CA')
  ])
  return {
    dir,
    ca,
    otherCa,
    async issue (name, options, by = ca) {
      const files = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) }
      const csr = path.join(dir, `${name}.csr`)
      const ext = path.join(dir, `${name}.ext`)
      await newKey(files.key, options.keyType ?? 'ec')
      await openssl(['req', '-new', '-key', files.key, '-out', csr, '-subj', `/CN=${options.cn}`])
      writeFileSync(ext, [
        'basicConstraints=critical,CA:FALSE',
        `keyUsage=critical,digitalSignature${options.keyType === 'rsa' ? ',keyEncipherment' : ''}`,
        `extendedKeyUsage=${options.usage}`,
        ...(options.san !== undefined ? [`subjectAltName=${options.san}`] : [])
      ].join('\n') + '\n')
      await openssl(['x509', '-req', '-in', csr, '-CA', by.cert, '-CAkey', by.key, '-set_serial', `0x${options.serial}`,
        '-days', String(options.days ?? 30), '-extfile', ext, '-out', files.cert])
      return files
    }
  }
}
