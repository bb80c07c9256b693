/** How a client certificate is asked for: `required` refuses a handshake without a valid one. */
export const ClientAuth = {
  OPTIONAL: 'optional',
  REQUIRED: 'required'
} as const
export type ClientAuth = typeof ClientAuth[keyof typeof ClientAuth]

/** Which name of a verified client certificate a mapping matches. */
export const CertificateField = {
  /** the subject's common name */
  CN: 'cn',
  /** a DNS name of the subject alternative names */
  DNS: 'dns'
} as const
export type CertificateField = typeof CertificateField[keyof typeof CertificateField]

/** A verified client certificate with this name authenticates as the API key `keyId`. */
export interface CertificateKey {
  field: CertificateField
  value: string
  keyId: string
}

/** HTTPS (RISKGATE_TLS_*): the files are read at start and again whenever they change. */
export interface TlsConfig {
  /** PEM certificate chain (the server's certificate first) */
  certFile: string
  /** PEM private key of that certificate */
  keyFile: string
  /** mutual TLS: the CA that signs client certificates, how one is asked for, what each one authenticates as */
  client?: { caFile: string, auth: ClientAuth, keys: CertificateKey[] }
  /** a stat of the files this often (ms), beside fs.watch (default 60 s); quiet time after a burst of events (default 200 ms) */
  reload?: { intervalMs: number, debounceMs?: number }
}
