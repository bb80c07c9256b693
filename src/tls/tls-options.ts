import { X509Certificate, createPrivateKey } from 'node:crypto'
import { createSecureContext } from 'node:tls'
import type { SecureContextOptions } from 'node:tls'
import { readDataFile } from '../signals/ip/data-source.js'
import type { FileStamp } from '../signals/ip/data-source.js'
import { describeCertificate } from './certificate-info.js'
import type { CertificateInfo } from './certificate-info.js'
import { ClientAuth } from './tls-config.js'
import type { TlsConfig } from './tls-config.js'

export const TLS_MIN_VERSION = 'TLSv1.2'

/** TLS 1.3: OpenSSL's default suites, every one of them AEAD. */
export const TLS13_CIPHER_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] as const

/**
 * TLS 1.2: forward-secret key exchange (ECDHE) with an AEAD cipher (AES-GCM, ChaCha20-Poly1305)
 * only, in the server's order of preference. No RSA key exchange, no CBC, no SHA-1, no DHE.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305'
] as const

/** A TLS file that cannot be served: unreadable, not PEM, a key that is not the certificate's, expired. */
export class TlsFileError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'TlsFileError'
  }
}

/** The certificate, key and client CA as read from their files, checked, with what was read. */
export interface TlsMaterial {
  cert: Buffer
  key: Buffer
  ca?: Buffer
  certificate: CertificateInfo
  /** the stamp of each file's content that was read (for the watcher) */
  stamps: Map<string, FileStamp>
}

async function readPem (path: string, setting: string, stamps: Map<string, FileStamp>): Promise<Buffer> {
  try {
    const { buffer, stamp } = await readDataFile(path)
    stamps.set(path, stamp)
    return buffer
  } catch (err) {
    throw new TlsFileError(`${setting} (${path}) cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
}

/**
 * Reads the configured files and checks that they can be served: a certificate, a private key
 * that is the certificate's (the reason only in messages, never a byte of the key), a
 * certificate that has not expired, a client CA that is a certificate, and OpenSSL taking them.
 */
export async function readTlsMaterial (config: TlsConfig, now = new Date()): Promise<TlsMaterial> {
  const stamps = new Map<string, FileStamp>()
  const cert = await readPem(config.certFile, 'RISKGATE_TLS_CERT_FILE', stamps)
  const key = await readPem(config.keyFile, 'RISKGATE_TLS_KEY_FILE', stamps)
  const ca = config.client === undefined ? undefined : await readPem(config.client.caFile, 'RISKGATE_TLS_CLIENT_CA_FILE', stamps)

  let x509: X509Certificate
  try {
    x509 = new X509Certificate(cert)
  } catch {
    throw new TlsFileError(`RISKGATE_TLS_CERT_FILE (${config.certFile}) holds no PEM certificate`)
  }
  let privateKey
  try {
    privateKey = createPrivateKey(key)
  } catch {
    throw new TlsFileError(`RISKGATE_TLS_KEY_FILE (${config.keyFile}) holds no unencrypted PEM private key`)
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsFileError(`the key in RISKGATE_TLS_KEY_FILE (${config.keyFile}) is not the key of the certificate in RISKGATE_TLS_CERT_FILE (${config.certFile})`)
  }
  const certificate = describeCertificate(x509)
  if (Date.parse(certificate.notAfter) <= now.getTime()) {
    throw new TlsFileError(`the certificate in RISKGATE_TLS_CERT_FILE (${config.certFile}, ${certificate.subject}) expired at ${certificate.notAfter}`)
  }
  if (ca !== undefined) {
    try {
      // eslint-disable-next-line no-new
      new X509Certificate(ca)
    } catch {
      throw new TlsFileError(`RISKGATE_TLS_CLIENT_CA_FILE (${config.client?.caFile ?? ''}) holds no PEM certificate`)
    }
  }
  const material: TlsMaterial = { cert, key, certificate, stamps, ...(ca !== undefined ? { ca } : {}) }
  try {
    createSecureContext(secureContextOptions(material))
  } catch (err) {
    throw new TlsFileError(`the TLS files cannot be loaded: ${(err as Error).message}`)
  }
  return material
}

/** The secure context: given at start, and again on each reload (server.setSecureContext). */
export function secureContextOptions (material: Pick<TlsMaterial, 'cert' | 'key' | 'ca'>): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    ...(material.ca !== undefined ? { ca: material.ca } : {}),
    minVersion: TLS_MIN_VERSION,
    ciphers: [...TLS13_CIPHER_SUITES, ...TLS12_CIPHERS].join(':'),
    honorCipherOrder: true
  }
}

/** The options of the HTTPS server: the secure context, and whether a client certificate is asked for or required. */
export function httpsServerOptions (config: TlsConfig, material: TlsMaterial): SecureContextOptions & { requestCert: boolean, rejectUnauthorized: boolean } {
  return {
    ...secureContextOptions(material),
    requestCert: config.client !== undefined,
    rejectUnauthorized: config.client?.auth === ClientAuth.REQUIRED
  }
}
