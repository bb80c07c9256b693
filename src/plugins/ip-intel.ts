import fp from 'fastify-plugin'
import { createIpIntel } from '../signals/ip/ip-intel.js'
import type { IpIntel, IpIntelOptions } from '../signals/ip/ip-intel.js'
import { DEFAULT_AGE_LIMITS } from '../data/freshness.js'
import type { AgeLimits } from '../data/freshness.js'
import { startIpDataReload } from '../data/hot-reload.js'
import { describeSources } from '../scoring/data-versions.js'
import type { DataSourceView } from '../schemas/health.js'
import { bundledFiles, publicDataSources } from '../data/public-view.js'

export { createIpIntel, startIpDataReload }
export type { IpIntel, IpIntelOptions }

export interface IpIntelPluginOptions extends IpIntelOptions {
  /** age limits in days before a source is reported stale (default DEFAULT_AGE_LIMITS) */
  maxAgeDays?: AgeLimits
  /** hot reload of replaced files; absent: the files are read once, at start */
  reload?: { intervalMs: number, debounceMs?: number, fsWatch?: boolean }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** IP signals from the loaded databases and lists (synchronous lookups; hot reloads swap the data inside) */
    ipIntel: IpIntel
    /**
     * every loaded source for /readyz: build date, age, and warnings (stale, replacement refused);
     * named by file name, never by folder (/readyz is public)
     */
    ipDataStatus: () => DataSourceView[]
  }
}

/**
 * Loads the IP data at start (a missing or broken file stops the start, naming the file), logs
 * what was loaded and how old it is (a warning for stale data), and with `reload` watches the
 * files and swaps replaced ones in while the service runs.
 */
export const ipIntelPlugin = fp(async function ipIntel (fastify, opts: IpIntelPluginOptions) {
  const intel = await createIpIntel(opts)
  const maxAgeDays = opts.maxAgeDays ?? DEFAULT_AGE_LIMITS
  const describe = () => describeSources(intel.sources, Date.now(), { maxAgeDays, refused: intel.refused })
  const bundled = bundledFiles()
  const status = (): DataSourceView[] => publicDataSources(describe(), bundled)
  // the log is the operator's own: it names each file with its path
  for (const source of describe()) {
    fastify.log.info({
      source: source.id,
      path: source.path,
      database_type: source.database_type,
      built_at: source.built_at,
      entries: source.entries
    }, 'ip data loaded')
    for (const warning of source.warnings) fastify.log.warn({ source: source.id, path: source.path }, `ip data ${warning}`)
  }
  fastify.decorate('ipIntel', intel)
  fastify.decorate('ipDataStatus', status)
  const watcher = opts.reload === undefined ? undefined : startIpDataReload(intel, { ...opts.reload, log: fastify.log })
  fastify.addHook('onClose', async () => {
    await watcher?.close()
    await intel.close()
  })
}, { name: 'ip-intel', fastify: '5.x' })
