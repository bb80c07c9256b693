import { Type } from 'typebox'
import type { Static } from 'typebox'

/**
 * The environment riskgate reads (DESIGN.md, "Configuration"). Validated once, at start, by
 * env-schema; `src/server.ts` is the only file that hands `process.env` to it.
 */
export const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('production'), Type.Literal('development'), Type.Literal('test')], { default: 'development' }),
  RISKGATE_HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  RISKGATE_PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  RISKGATE_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  /** each entry host:port, [ipv6]:port or a redis:// / rediss:// URL: checked by src/redis/connection.ts */
  RISKGATE_REDIS_CLUSTER_NODES: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_REDIS_SENTINELS: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_REDIS_SENTINEL_NAME: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_REDIS_USERNAME: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_REDIS_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_REDIS_DB: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  RISKGATE_REDIS_TLS_CA_FILE: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_RULES_DIR: Type.String({ default: './rules', minLength: 1 }),
  /** a challenger rule set folder staged at start beside the live one (src/rollout/); unset: none */
  RISKGATE_CHALLENGER_RULES: Type.Optional(Type.String({ minLength: 1 })),
  /** how it runs: `shadow` (default), or `enforce:<percent>[:customer.id|card.fingerprint]` (src/config/challenger-env.ts) */
  RISKGATE_CHALLENGER_ROLLOUT: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_MMDB_COUNTRY: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_MMDB_ASN: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_MMDB_ANONYMOUS: Type.Optional(Type.String({ minLength: 1 })),
  /** a GeoIP2-Connection-Type database: ip.connection_type */
  RISKGATE_MMDB_CONNECTION_TYPE: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_TOR_EXITS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_HOSTING_LISTS: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_DATA_MAX_AGE_DAYS: Type.Number({ default: 45, exclusiveMinimum: 0 }),
  RISKGATE_TOR_MAX_AGE_DAYS: Type.Number({ default: 2, exclusiveMinimum: 0 }),
  RISKGATE_DATA_CHECK_INTERVAL_SECONDS: Type.Integer({ default: 60, minimum: 0, maximum: 86_400 }),
  RISKGATE_API_KEYS: Type.Optional(Type.String()),
  RISKGATE_HASH_KEY: Type.Optional(Type.String({ minLength: 32 })),
  RISKGATE_OMISE_WEBHOOK_SECRETS: Type.Optional(Type.String()),
  /** comma-separated Stripe endpoint secrets (whsec_...), two during rotation */
  RISKGATE_STRIPE_WEBHOOK_SECRETS: Type.Optional(Type.String()),
  /** comma-separated Midtrans server keys that sign POST /v1/webhooks/midtrans (two during rotation) */
  RISKGATE_MIDTRANS_SERVER_KEYS: Type.Optional(Type.String()),
  /** comma-separated hex HMAC keys that sign POST /v1/webhooks/adyen items (two during rotation) */
  RISKGATE_ADYEN_HMAC_KEYS: Type.Optional(Type.String()),
  /** `user:password` Adyen sends as basic auth; when set, required */
  RISKGATE_ADYEN_BASIC_AUTH: Type.Optional(Type.String()),
  /** where review events are sent (src/merchant-webhooks/); unset: no merchant webhooks */
  RISKGATE_MERCHANT_WEBHOOK_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2048 })),
  /** the secret that signs them (HMAC-SHA256); required with the URL */
  RISKGATE_MERCHANT_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 32, maxLength: 512 })),
  /** 32+ random bytes, hex or base64: the console's session cookies; unset in production: the console is disabled */
  RISKGATE_CONSOLE_SESSION_KEY: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' }
  ),
  RISKGATE_DEADLINE_MS: Type.Integer({ default: 50, minimum: 1, maximum: 10_000 }),
  /** records per partition; unset: 800,000 in all in Redis (spread over the partitions), 15,000 in process */
  RISKGATE_DECISION_LOG_MAX: Type.Optional(Type.Integer({ minimum: 100, maximum: 100_000_000 })),
  /** unset: the count the log in Redis keeps, or for a new log 1 (8 with a Cluster): src/decision-log/partition-count.ts */
  RISKGATE_DECISION_LOG_PARTITIONS: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
  RISKGATE_DECISION_LOG_TTL_SECONDS: Type.Integer({ default: 10_368_000, minimum: 3600 }),
  /** what the log writes (src/decision-log/format.ts): 2 during a rolling upgrade from a version that writes 2 */
  RISKGATE_DECISION_LOG_FORMAT: Type.Integer({ default: 3, minimum: 2, maximum: 3 }),
  /** processes serving on the one port (node:cluster): a number, or `auto` (one per core); more than 1 needs Redis */
  RISKGATE_WORKERS: Type.String({ default: '1', pattern: '^(auto|[1-9][0-9]{0,2})$' }),
  RISKGATE_DEV_STATE_DIR: Type.String({ default: './.riskgate', minLength: 1 }),
  /** HTTPS: both or neither (src/config/tls-env.ts) */
  RISKGATE_TLS_CERT_FILE: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_TLS_CLIENT_CA_FILE: Type.Optional(Type.String({ minLength: 1 })),
  RISKGATE_TLS_CLIENT_AUTH: Type.Optional(Type.Union([Type.Literal('optional'), Type.Literal('required')])),
  /** `<certificate CN or DNS:name>:<key id>`, comma-separated */
  RISKGATE_TLS_CLIENT_KEYS: Type.Optional(Type.String()),
  /** load shedding (src/plugins/load-shedding.ts): 0 turns a limit off */
  RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ default: 50, minimum: 0, maximum: 60_000 }),
  /** unset: 90% of V8's heap limit */
  RISKGATE_SHED_MAX_HEAP_MB: Type.Optional(Type.Integer({ minimum: 0 })),
  RISKGATE_SHED_MAX_EVENT_LOOP_UTILIZATION: Type.Number({ default: 0, minimum: 0, maximum: 1 }),
  RISKGATE_SHED_RETRY_AFTER_SECONDS: Type.Integer({ default: 1, minimum: 1, maximum: 3600 })
})
export type Env = Static<typeof EnvSchema>
