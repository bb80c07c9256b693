import type { ApiKey } from '../auth/api-keys.js'
import type { DecisionLogFormat } from '../decision-log/format.js'
import type { RedisSettings } from '../redis/connection.js'
import type { TlsConfig } from '../tls/tls-config.js'
import type { SheddingConfig } from '../plugins/load-shedding.js'
import type { AdyenWebhookConfig } from './adyen-env.js'
import type { ChallengerConfig } from './challenger-env.js'

export type RuntimeEnv = 'production' | 'development' | 'test'

/** The validated configuration `buildApp(config)` receives. Built from the environment by loadConfig. */
export interface AppConfig {
  env: RuntimeEnv
  host: string
  port: number
  /** no URL, Cluster nodes nor sentinels: in-process velocity and decision stores (one instance only) */
  /** RISKGATE_WORKERS resolved (`auto`: the cores Node reports); 1: this process serves alone */
  workers: number
  redis: RedisSettings
  rulesDir: string
  /** RISKGATE_CHALLENGER_RULES / _ROLLOUT: a challenger staged at start (src/rollout/); absent: none */
  challenger?: ChallengerConfig
  data: {
    countryDb?: string
    asnDb?: string
    anonymousDb?: string
    /** GeoIP2-Connection-Type: ip.connection_type */
    connectionTypeDb?: string
    torExitsFile?: string
    hostingAsnFiles?: string[]
    /** staleness limits in days (a warning, never unready): MMDB databases, the Tor exit list */
    maxAgeDays?: { mmdb: number, tor: number }
    /** hot reload of replaced files (fs.watch plus a stat check every intervalMs); absent: read once at start */
    reload?: { intervalMs: number, debounceMs?: number }
  }
  apiKeys: ApiKey[]
  /** secret of the keyed hashes that replace IPs, emails and card fingerprints in Redis keys */
  hashKey: string
  omiseWebhookSecrets: Buffer[]
  /** RISKGATE_STRIPE_WEBHOOK_SECRETS: Stripe endpoint secrets (whsec_...), HMAC keys as written; absent or empty: POST /v1/webhooks/stripe answers 503 */
  stripeWebhookSecrets?: string[]
  /** RISKGATE_MIDTRANS_SERVER_KEYS; absent or empty: POST /v1/webhooks/midtrans answers 503 */
  midtransServerKeys?: string[]
  /** RISKGATE_ADYEN_HMAC_KEYS and _BASIC_AUTH; absent: POST /v1/webhooks/adyen answers 503 */
  adyenWebhook?: AdyenWebhookConfig
  /** RISKGATE_MERCHANT_WEBHOOK_URL and _SECRET: review events sent to the merchant; absent: none sent */
  merchantWebhook?: { url: string, secret: string }
  /**
   * key of the console's session cookies (RISKGATE_CONSOLE_SESSION_KEY, derived to 32 bytes);
   * absent: derived from the hash key outside production, the console disabled in production
   */
  consoleSessionKey?: Buffer
  logLevel: string
  /** deadline of the enrichment step (velocity) of one score request */
  deadlineMs: number
  /** the decision log (src/decision-log/): absent fields take the documented defaults */
  decisionLog?: {
    /** records kept per stream partition (Redis) or in all (in process) */
    maxPerPartition?: number
    /** Redis streams the log is spread over (each its own Cluster slot) */
    partitions?: number
    /** how long a decision can still receive an outcome, and be found by its charge id */
    ttlSeconds?: number
    /** what the log writes (src/decision-log/format.ts); the current format when absent */
    format?: DecisionLogFormat
  }
  /** HTTPS, and mutual TLS when it has clientAuth (src/tls/); absent: plain HTTP */
  tls?: TlsConfig
  /** load shedding (src/plugins/load-shedding.ts); absent: requests are never shed */
  shedding?: SheddingConfig
}
