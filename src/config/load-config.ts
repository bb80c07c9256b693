import { availableParallelism } from 'node:os'
import { envSchema } from 'env-schema'
import { EnvSchema } from './env-schema.js'
import type { Env } from './env-schema.js'
import type { AppConfig } from './app-config.js'
import type { DecisionLogFormat } from '../decision-log/format.js'
import { parseApiKeys, sha256, Scope } from '../auth/api-keys.js'
import { readOrCreateSecret } from './dev-credentials.js'
import { bundledDataPaths } from '../signals/ip/bundled-data.js'
import { parseSessionKey } from '../console/session-key.js'
import { updatedOpenData } from '../data/update/paths.js'
import { redisSettingsFromEnv } from './redis-settings.js'
import { RedisSettingsError } from '../redis/connection.js'
import { tlsConfigFromEnv } from './tls-env.js'
import { sheddingConfigFromEnv } from './shedding-env.js'
import { adyenWebhookConfigFromEnv } from './adyen-env.js'
import { challengerConfigFromEnv } from './challenger-env.js'

export class ConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

export interface LoadedConfig {
  config: AppConfig
  /** things the operator should know, logged once at start (never a secret) */
  warnings: string[]
  /** where the development API key's secret was written, when one is in use */
  devKeyFile?: string
}

export const DEV_KEY_ID = 'dev'

/**
 * An empty RISKGATE_* setting is an unset one (its default applies): `RISKGATE_X=` in an env file,
 * or `${RISKGATE_X:-}` in a compose file, says "not set" rather than "set to nothing".
 */
function withoutEmptySettings (env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value === '' && name.startsWith('RISKGATE_')) continue
    out[name] = value
  }
  return out
}

function parseEnv (env: Record<string, string | undefined>): Env {
  try {
    return envSchema<Env>({ schema: EnvSchema, data: withoutEmptySettings(env) })
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`)
  }
}

/**
 * The IP data part of the configuration: the configured files, else the open data `riskgate data
 * update` fetched into RISKGATE_DEV_STATE_DIR/data (when present, relative to `cwd`), else the
 * bundled defaults; the operator's hosting lists after the bundled one, staleness limits and hot
 * reload.
 */
export function dataConfigFromEnv (raw: Env, cwd: string = process.cwd()): AppConfig['data'] {
  const bundled = bundledDataPaths()
  const updated = updatedOpenData(raw.RISKGATE_DEV_STATE_DIR, cwd)
  const extraLists = (raw.RISKGATE_HOSTING_LISTS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
  const data: AppConfig['data'] = {
    countryDb: raw.RISKGATE_MMDB_COUNTRY ?? updated.countryDb ?? bundled.countryDb,
    asnDb: raw.RISKGATE_MMDB_ASN ?? updated.asnDb ?? bundled.asnDb,
    hostingAsnFiles: [bundled.hostingAsns, ...extraLists],
    maxAgeDays: { mmdb: raw.RISKGATE_DATA_MAX_AGE_DAYS, tor: raw.RISKGATE_TOR_MAX_AGE_DAYS }
  }
  if (raw.RISKGATE_MMDB_ANONYMOUS !== undefined) data.anonymousDb = raw.RISKGATE_MMDB_ANONYMOUS
  if (raw.RISKGATE_MMDB_CONNECTION_TYPE !== undefined) data.connectionTypeDb = raw.RISKGATE_MMDB_CONNECTION_TYPE
  if (raw.RISKGATE_TOR_EXITS_FILE !== undefined) data.torExitsFile = raw.RISKGATE_TOR_EXITS_FILE
  if (raw.RISKGATE_DATA_CHECK_INTERVAL_SECONDS > 0) data.reload = { intervalMs: raw.RISKGATE_DATA_CHECK_INTERVAL_SECONDS * 1000 }
  return data
}

/**
 * The IP data configuration alone, validated from the environment exactly as the server does it,
 * without the secrets and side effects of loadConfig (for the `riskgate data` commands).
 */
export function loadDataConfig (env: Record<string, string | undefined>, cwd: string = process.cwd()): AppConfig['data'] {
  return dataConfigFromEnv(parseEnv(env), cwd)
}

/** RISKGATE_DEV_STATE_DIR as the server reads it (validated, with its default). */
export function devStateDirFromEnv (env: Record<string, string | undefined>): string {
  return parseEnv(env).RISKGATE_DEV_STATE_DIR
}

/**
 * RISKGATE_MERCHANT_WEBHOOK_URL and _SECRET: the URL must be an absolute http(s) URL and comes with
 * its secret. Messages name the variables, never their values (a URL may carry credentials).
 */
export function merchantWebhookConfig (raw: Env, production: boolean, warnings: string[]): AppConfig['merchantWebhook'] {
  const url = raw.RISKGATE_MERCHANT_WEBHOOK_URL
  const secret = raw.RISKGATE_MERCHANT_WEBHOOK_SECRET
  if (url === undefined) {
    if (secret !== undefined) warnings.push('RISKGATE_MERCHANT_WEBHOOK_SECRET is set without RISKGATE_MERCHANT_WEBHOOK_URL: no merchant webhooks are sent')
    return undefined
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigError('RISKGATE_MERCHANT_WEBHOOK_URL is not a valid URL')
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.hostname === '') {
    throw new ConfigError('RISKGATE_MERCHANT_WEBHOOK_URL must be an http:// or https:// URL')
  }
  if (secret === undefined) {
    throw new ConfigError('RISKGATE_MERCHANT_WEBHOOK_SECRET (at least 32 characters) is required when RISKGATE_MERCHANT_WEBHOOK_URL is set')
  }
  if (production && parsed.protocol === 'http:') {
    warnings.push('RISKGATE_MERCHANT_WEBHOOK_URL is plain http: review events are signed but not encrypted on the way')
  }
  return { url: parsed.href, secret }
}

/**
 * Validates the environment once and resolves it into the AppConfig. Outside production, missing
 * secrets are replaced by development ones kept in RISKGATE_DEV_STATE_DIR; in production they are
 * required.
 */
export async function loadConfig (env: Record<string, string | undefined>): Promise<LoadedConfig> {
  const raw = parseEnv(env)
  const warnings: string[] = []
  const production = raw.NODE_ENV === 'production'

  let apiKeys
  try {
    apiKeys = parseApiKeys(raw.RISKGATE_API_KEYS)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
  let devKeyFile: string | undefined
  if (apiKeys.length === 0) {
    if (production) throw new ConfigError('RISKGATE_API_KEYS is required when NODE_ENV=production')
    const secret = await readOrCreateSecret(raw.RISKGATE_DEV_STATE_DIR, 'dev-api-key', 'rg_dev_')
    apiKeys = [{ id: DEV_KEY_ID, scopes: new Set(Object.values(Scope)), secretSha256: sha256(secret.value) }]
    devKeyFile = secret.file
    warnings.push(`RISKGATE_API_KEYS is not set: using a development key (scopes score, analyst, admin) whose secret is in ${secret.file}`)
  }

  let hashKey = raw.RISKGATE_HASH_KEY
  if (hashKey === undefined) {
    if (production) throw new ConfigError('RISKGATE_HASH_KEY (at least 32 characters) is required when NODE_ENV=production')
    hashKey = (await readOrCreateSecret(raw.RISKGATE_DEV_STATE_DIR, 'dev-hash-key')).value
    warnings.push('RISKGATE_HASH_KEY is not set: using a development hash key')
  }

  let redis: AppConfig['redis']
  try {
    redis = redisSettingsFromEnv(raw)
  } catch (err) {
    if (err instanceof RedisSettingsError) throw new ConfigError(err.message)
    throw err
  }
  if (redis.url === undefined && redis.clusterNodes === undefined && redis.sentinels === undefined) {
    warnings.push('no Redis configured: velocity counters and decisions are kept in process (one instance only, lost on restart)')
  }
  const workers = raw.RISKGATE_WORKERS === 'auto' ? availableParallelism() : Number(raw.RISKGATE_WORKERS)
  if (workers > 1 && redis.url === undefined && redis.clusterNodes === undefined && redis.sentinels === undefined) {
    throw new ConfigError(`RISKGATE_WORKERS=${raw.RISKGATE_WORKERS} (${workers} processes) needs Redis: each process would keep its own velocity counters and decisions. Set RISKGATE_REDIS_URL (or cluster nodes, or sentinels), or RISKGATE_WORKERS=1`)
  }

  const omiseWebhookSecrets = (raw.RISKGATE_OMISE_WEBHOOK_SECRETS ?? '')
    .split(',').map((s) => s.trim()).filter((s) => s !== '')
    .map((s, i) => {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) throw new ConfigError(`RISKGATE_OMISE_WEBHOOK_SECRETS entry ${i + 1} is not base64`)
      return Buffer.from(s, 'base64')
    })

  const stripeWebhookSecrets = (raw.RISKGATE_STRIPE_WEBHOOK_SECRETS ?? '')
    .split(',').map((s) => s.trim()).filter((s) => s !== '')
  stripeWebhookSecrets.forEach((s, i) => {
    if (!/^whsec_[A-Za-z0-9+/=_-]{8,}$/.test(s)) throw new ConfigError(`RISKGATE_STRIPE_WEBHOOK_SECRETS entry ${i + 1} is not a Stripe endpoint secret (whsec_...)`)
  })
  const midtransServerKeys = (raw.RISKGATE_MIDTRANS_SERVER_KEYS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
  let adyenWebhook
  try {
    adyenWebhook = adyenWebhookConfigFromEnv(raw, warnings)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }

  const merchantWebhook = merchantWebhookConfig(raw, production, warnings)
  let consoleSessionKey: Buffer | undefined
  if (raw.RISKGATE_CONSOLE_SESSION_KEY !== undefined) {
    try {
      consoleSessionKey = parseSessionKey(raw.RISKGATE_CONSOLE_SESSION_KEY)
    } catch (err) {
      throw new ConfigError((err as Error).message)
    }
  }

  const data = dataConfigFromEnv(raw)

  let challenger
  try {
    challenger = challengerConfigFromEnv(raw)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }

  let tls
  try {
    tls = tlsConfigFromEnv(raw, apiKeys)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }

  const config: AppConfig = {
    env: raw.NODE_ENV,
    host: raw.RISKGATE_HOST,
    port: raw.RISKGATE_PORT,
    redis,
    workers,
    rulesDir: raw.RISKGATE_RULES_DIR,
    ...(challenger !== undefined ? { challenger } : {}),
    data,
    apiKeys,
    hashKey,
    omiseWebhookSecrets,
    ...(stripeWebhookSecrets.length > 0 ? { stripeWebhookSecrets } : {}),
    ...(midtransServerKeys.length > 0 ? { midtransServerKeys } : {}),
    ...(adyenWebhook !== undefined ? { adyenWebhook } : {}),
    ...(merchantWebhook !== undefined ? { merchantWebhook } : {}),
    ...(consoleSessionKey !== undefined ? { consoleSessionKey } : {}),
    logLevel: raw.RISKGATE_LOG_LEVEL,
    deadlineMs: raw.RISKGATE_DEADLINE_MS,
    decisionLog: {
      ...(raw.RISKGATE_DECISION_LOG_MAX !== undefined ? { maxPerPartition: raw.RISKGATE_DECISION_LOG_MAX } : {}),
      ...(raw.RISKGATE_DECISION_LOG_PARTITIONS !== undefined ? { partitions: raw.RISKGATE_DECISION_LOG_PARTITIONS } : {}),
      ttlSeconds: raw.RISKGATE_DECISION_LOG_TTL_SECONDS,
      format: raw.RISKGATE_DECISION_LOG_FORMAT as DecisionLogFormat
    },
    ...(tls !== undefined ? { tls } : {}),
    shedding: sheddingConfigFromEnv(raw)
  }
  return devKeyFile === undefined ? { config, warnings } : { config, warnings, devKeyFile }
}
