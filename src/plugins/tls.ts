import fp from 'fastify-plugin'
import type { SecureContextOptions } from 'node:tls'
import { Gauge } from 'prom-client'
import { certificateLogFields } from '../tls/certificate-info.js'
import type { CertificateInfo } from '../tls/certificate-info.js'
import type { ClientCertificate } from '../tls/client-certificate.js'
import { CertificateEvent, startCertificateReload } from '../tls/certificate-reload.js'
import type { CertificateReload } from '../tls/certificate-reload.js'
import type { TlsMaterial } from '../tls/tls-options.js'
import type { TlsConfig } from '../tls/tls-config.js'

export interface TlsPluginOptions {
  config: TlsConfig
  /** what the HTTPS server was built with (src/tls/tls-options.ts) */
  material: TlsMaterial
}

declare module 'fastify' {
  interface FastifyInstance {
    /** HTTPS only: the certificate served, and its reloads */
    tlsCertificate: CertificateReload | null
  }
  interface FastifyRequest {
    /** the client certificate of the request's connection (mutual TLS): presented, verified, CN; null on plain HTTP (read once per connection, when asked for) */
    readonly clientCertificate: ClientCertificate | null
  }
}

/** A certificate this close to its end is logged as a warning at start and on each reload. */
const EXPIRY_WARNING_MS = 14 * 24 * 3600 * 1000

/**
 * HTTPS: says which certificate is served (subject, issuer, serial, not-after: never the key),
 * reloads it when its files change (src/tls/certificate-reload.ts), exposes its expiry as a
 * metric for alerts (`riskgate_tls_certificate_expiry_timestamp_seconds`). `request.clientCertificate`
 * (decorated in app.ts) tells a route whether its client presented a valid certificate.
 */
export const tlsPlugin = fp(async function tls (fastify, opts: TlsPluginOptions) {
  const server = fastify.server as unknown as { setSecureContext: (options: SecureContextOptions) => void }
  const warnIfExpiring = (notAfter: string): void => {
    const left = Date.parse(notAfter) - Date.now()
    if (left < EXPIRY_WARNING_MS) fastify.log.warn({ not_after: notAfter }, `the TLS certificate expires in ${Math.max(0, Math.floor(left / 86_400_000))} days`)
  }
  const reload = startCertificateReload({ config: opts.config, initial: opts.material, server, log: fastify.log })
  reload.events.on(CertificateEvent.RELOADED, (info: CertificateInfo) => { warnIfExpiring(info.notAfter) })
  fastify.decorate('tlsCertificate', reload)
  fastify.log.info({
    certificate: certificateLogFields(opts.material.certificate),
    client_auth: opts.config.client?.auth ?? 'none'
  }, 'serving HTTPS')
  warnIfExpiring(opts.material.certificate.notAfter)
  fastify.metricsRegistry.registerMetric(new Gauge({
    name: 'riskgate_tls_certificate_expiry_timestamp_seconds',
    help: 'When the served TLS certificate expires (Unix time, seconds)',
    registers: [],
    collect () { this.set(Date.parse(reload.current().notAfter) / 1000) }
  }))
  fastify.addHook('onClose', async () => { await reload.close() })
}, { name: 'tls', fastify: '5.x', dependencies: ['metrics'] })
