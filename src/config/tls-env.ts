import type { ApiKey } from '../auth/api-keys.js'
import type { Env } from './env-schema.js'
import { CertificateField } from '../tls/tls-config.js'
import type { CertificateKey, TlsConfig } from '../tls/tls-config.js'

export class TlsConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'TlsConfigError'
  }
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/

/**
 * Parses RISKGATE_TLS_CLIENT_KEYS: comma-separated `<identity>:<key id>`, the identity being a
 * client certificate's subject CN, or `DNS:<name>` for a DNS name of its subject alternative
 * names; the key id one of RISKGATE_API_KEYS. The last colon separates the two (key ids have none).
 */
export function parseCertificateKeys (value: string | undefined, apiKeys: readonly ApiKey[]): CertificateKey[] {
  if (value === undefined || value.trim() === '') return []
  const ids = new Set(apiKeys.map((k) => k.id))
  const seen = new Set<string>()
  return value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '').map((entry, index) => {
    const where = `RISKGATE_TLS_CLIENT_KEYS entry ${index + 1}`
    const at = entry.lastIndexOf(':')
    const identity = at < 0 ? '' : entry.slice(0, at).trim()
    const keyId = entry.slice(at + 1).trim()
    if (at < 0 || identity === '' || !KEY_ID.test(keyId)) throw new TlsConfigError(`${where}: expected <certificate CN>:<key id> or DNS:<name>:<key id>`)
    if (!ids.has(keyId)) throw new TlsConfigError(`${where}: no API key "${keyId}" in RISKGATE_API_KEYS`)
    const dns = /^dns:/i.test(identity)
    const key: CertificateKey = dns
      ? { field: CertificateField.DNS, value: identity.slice(4).trim().toLowerCase(), keyId }
      : { field: CertificateField.CN, value: identity, keyId }
    if (key.value === '') throw new TlsConfigError(`${where}: the DNS name is empty`)
    const name = `${key.field}:${key.value}`
    if (seen.has(name)) throw new TlsConfigError(`${where}: "${identity}" is mapped twice`)
    seen.add(name)
    return key
  })
}

/** The HTTPS part of the configuration, or undefined for plain HTTP. */
export function tlsConfigFromEnv (raw: Env, apiKeys: readonly ApiKey[]): TlsConfig | undefined {
  const cert = raw.RISKGATE_TLS_CERT_FILE
  const key = raw.RISKGATE_TLS_KEY_FILE
  const ca = raw.RISKGATE_TLS_CLIENT_CA_FILE
  const auth = raw.RISKGATE_TLS_CLIENT_AUTH
  const keys = raw.RISKGATE_TLS_CLIENT_KEYS
  if ((cert === undefined) !== (key === undefined)) {
    throw new TlsConfigError('set both RISKGATE_TLS_CERT_FILE and RISKGATE_TLS_KEY_FILE (HTTPS), or neither (plain HTTP)')
  }
  if (cert === undefined || key === undefined) {
    if (ca !== undefined || auth !== undefined || (keys ?? '').trim() !== '') {
      throw new TlsConfigError('RISKGATE_TLS_CLIENT_CA_FILE, RISKGATE_TLS_CLIENT_AUTH and RISKGATE_TLS_CLIENT_KEYS need HTTPS: set RISKGATE_TLS_CERT_FILE and RISKGATE_TLS_KEY_FILE')
    }
    return undefined
  }
  if ((ca === undefined) !== (auth === undefined)) {
    throw new TlsConfigError('mutual TLS needs both RISKGATE_TLS_CLIENT_CA_FILE and RISKGATE_TLS_CLIENT_AUTH (optional or required)')
  }
  if (ca === undefined || auth === undefined) {
    if ((keys ?? '').trim() !== '') throw new TlsConfigError('RISKGATE_TLS_CLIENT_KEYS needs mutual TLS: set RISKGATE_TLS_CLIENT_CA_FILE and RISKGATE_TLS_CLIENT_AUTH')
    return { certFile: cert, keyFile: key }
  }
  return { certFile: cert, keyFile: key, client: { caFile: ca, auth, keys: parseCertificateKeys(keys, apiKeys) } }
}
