import fp from 'fastify-plugin'
import { Gauge } from 'prom-client'

/**
 * `riskgate_data_age_seconds{source}`: how old each loaded IP data source is (now minus its build
 * date), read when /metrics is scraped, so an alert can fire before the data goes stale;
 * `riskgate_data_stale{source}` is 1 while a source is older than its limit.
 */
export const dataMetricsPlugin = fp(async function dataMetrics (fastify) {
  const registry = fastify.metricsRegistry
  const sources = (): ReturnType<typeof fastify.ipDataStatus> => fastify.ipDataStatus()
  registry.registerMetric(new Gauge({
    name: 'riskgate_data_age_seconds',
    help: 'Age of each loaded IP data source: now minus its build date',
    labelNames: ['source'] as const,
    registers: [],
    collect () {
      this.reset()
      const now = Date.now()
      for (const source of sources()) {
        if (source.built_at !== undefined) this.set({ source: source.id }, Math.max(0, (now - Date.parse(source.built_at)) / 1000))
      }
    }
  }))
  registry.registerMetric(new Gauge({
    name: 'riskgate_data_stale',
    help: '1 while an IP data source is older than its freshness limit (RISKGATE_DATA_MAX_AGE_DAYS, RISKGATE_TOR_MAX_AGE_DAYS), else 0',
    labelNames: ['source'] as const,
    registers: [],
    collect () {
      this.reset()
      for (const source of sources()) {
        const stale = source.age_days !== undefined && source.max_age_days !== undefined && source.age_days > source.max_age_days
        this.set({ source: source.id }, stale ? 1 : 0)
      }
    }
  }))
}, { name: 'data-metrics', fastify: '5.x', dependencies: ['metrics', 'ip-intel'] })
