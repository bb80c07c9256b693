import type { TLSSocket } from 'node:tls'
import type { ApiKey } from '../auth/api-keys.js'
import { CertificateField } from './tls-config.js'
import type { CertificateKey } from './tls-config.js'

/** What the connection's client certificate says, once per connection. */
export interface ClientCertificate {
  /** the client sent a certificate */
  presented: boolean
  /** and it was signed by RISKGATE_TLS_CLIENT_CA_FILE, and is valid now */
  verified: boolean
  /** OpenSSL's reason when it was presented but not verified (CERT_HAS_EXPIRED...) */
  error?: string
  /** the subject's common name, when there is exactly one */
  cn?: string
}

const byConnection = new WeakMap<object, ClientCertificate>()

function isTlsSocket (socket: unknown): socket is TLSSocket {
  return typeof socket === 'object' && socket !== null && (socket as { encrypted?: unknown }).encrypted === true
}

/**
 * The client certificate of a TLS connection (`presented: false` when it sent none), or null on a
 * plain connection. Read once per connection: a keep-alive connection's later requests cost a lookup.
 */
export function clientCertificateOf (socket: unknown): ClientCertificate | null {
  if (!isTlsSocket(socket)) return null
  const known = byConnection.get(socket)
  if (known !== undefined) return known
  const peer = socket.getPeerCertificate()
  let found: ClientCertificate = { presented: false, verified: false }
  if (peer !== null && typeof peer === 'object' && Object.keys(peer).length > 0) {
    const cn = peer.subject?.CN
    const error = socket.authorizationError
    found = {
      presented: true,
      verified: socket.authorized,
      ...(error !== undefined && error !== null ? { error: typeof error === 'string' ? error : error.message } : {}),
      ...(typeof cn === 'string' ? { cn } : {})
    }
  }
  byConnection.set(socket, found)
  return found
}

/**
 * The API key a connection's client certificate authenticates as (RISKGATE_TLS_CLIENT_KEYS): only
 * a verified certificate, matched by its subject CN or by a DNS name of its subject alternative
 * names (exactly: no wildcard); the first entry that matches wins. Undefined when the certificate
 * is absent, unverified or unmapped: such a request has no scope. Once per connection.
 */
export function certificateKeyFinder (keys: readonly CertificateKey[], apiKeys: readonly ApiKey[]): (socket: unknown) => ApiKey | undefined {
  const byId = new Map(apiKeys.map((k) => [k.id, k]))
  const resolved = keys.map((k) => ({ ...k, apiKey: byId.get(k.keyId) })).filter((k): k is CertificateKey & { apiKey: ApiKey } => k.apiKey !== undefined)
  const mapped = new WeakMap<object, ApiKey | null>()
  return (socket) => {
    if (!isTlsSocket(socket)) return undefined
    const known = mapped.get(socket)
    if (known !== undefined) return known ?? undefined
    let found: ApiKey | null = null
    const certificate = clientCertificateOf(socket)
    if (certificate?.verified === true) {
      const x509 = socket.getPeerX509Certificate()
      for (const k of resolved) {
        const hit = k.field === CertificateField.CN
          ? certificate.cn === k.value
          : x509?.checkHost(k.value, { subject: 'never', wildcards: false, partialWildcards: false }) !== undefined
        if (hit) {
          found = k.apiKey
          break
        }
      }
    }
    mapped.set(socket, found)
    return found ?? undefined
  }
}
