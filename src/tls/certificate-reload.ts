import { EventEmitter } from 'node:events'
import type { SecureContextOptions } from 'node:tls'
import { watchFiles } from '../data/file-watcher.js'
import { certificateLogFields } from './certificate-info.js'
import type { CertificateInfo } from './certificate-info.js'
import { readTlsMaterial, secureContextOptions } from './tls-options.js'
import type { TlsMaterial } from './tls-options.js'
import type { TlsConfig } from './tls-config.js'

export const DEFAULT_CERTIFICATE_CHECK_MS = 60_000

export interface CertificateReloadLog {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface CertificateReloadOptions {
  config: TlsConfig
  /** what was read at start (its stamps are the watcher's starting point) */
  initial: TlsMaterial
  /** the HTTPS server: its new connections get the new secure context */
  server: { setSecureContext: (options: SecureContextOptions) => void }
  log: CertificateReloadLog
}

/** What a certificate reload says: `reloaded` with the new certificate, or `refused` with the reason. */
export const CertificateEvent = {
  RELOADED: 'reloaded',
  REFUSED: 'refused'
} as const

export interface CertificateReload {
  /** the certificate new connections are served now */
  current: () => CertificateInfo
  /** emits CertificateEvent.RELOADED (CertificateInfo) and CertificateEvent.REFUSED (Error) */
  events: EventEmitter
  /** stats the files now and reloads them when they changed (the watcher does it by itself) */
  check: () => Promise<string[]>
  close: () => Promise<void>
}

/**
 * Serves renewed certificates without a restart: the certificate, key and client CA files are
 * watched (src/data/file-watcher.ts: fs.watch on their folders, and a stat every intervalMs); when
 * one changes all are read again and checked as at start, then handed to the server, whose new
 * connections get them (connections open keep theirs). A pair that cannot be served (a key that
 * is not the certificate's, half-written files, an expired certificate) is refused with an error
 * line and the certificate loaded before keeps serving; a renewal written file by file is taken
 * once both files agree.
 */
export function startCertificateReload (options: CertificateReloadOptions): CertificateReload {
  const { config, server, log } = options
  const events = new EventEmitter()
  let current = options.initial.certificate
  const paths = [config.certFile, config.keyFile, ...(config.client !== undefined ? [config.client.caFile] : [])]
  const watcher = watchFiles({
    paths,
    initial: options.initial.stamps,
    intervalMs: config.reload?.intervalMs ?? DEFAULT_CERTIFICATE_CHECK_MS,
    ...(config.reload?.debounceMs !== undefined ? { debounceMs: config.reload.debounceMs } : {}),
    onChange: async (changed) => {
      let material: TlsMaterial
      try {
        material = await readTlsMaterial(config)
        server.setSecureContext(secureContextOptions(material))
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err)
        log.error({ changed, reason, serving: certificateLogFields(current) }, 'TLS certificate replacement refused: the certificate loaded before keeps serving')
        events.emit(CertificateEvent.REFUSED, err instanceof Error ? err : new Error(reason))
        return
      }
      const previous = current
      current = material.certificate
      log.info({ changed, certificate: certificateLogFields(current), previous_serial: previous.serial }, 'TLS certificate reloaded')
      events.emit(CertificateEvent.RELOADED, current)
    },
    onError: (err, context) => {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, `TLS certificate reload: ${context}`)
    }
  })
  return {
    current: () => current,
    events,
    check: async () => await watcher.check(),
    close: async () => { await watcher.close() }
  }
}
