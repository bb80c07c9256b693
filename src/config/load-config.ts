import { envSchema } from 'env-schema'
import { EnvSchema } from './env-schema.js'
import type { Env } from './env-schema.js'
import type { AppConfig } from './app-config.js'
import { parseApiKeys, sha256, Scope } from '../auth/api-keys.js'
import { readOrCreateSecret } from './dev-credentials.js'
import { bundledDataPaths } from '../signals/ip/bundled-data.js'
import { tlsConfigFromEnv } from './tls-env.js'
import { sheddingConfigFromEnv } from './shedding-env.js'

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

function parseEnv (env: Record<string, string | undefined>): Env {
  try {
    return envSchema<Env>({ schema: EnvSchema, data: env })
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`)
  }
}

/**
 * The IP data part of the configuration: the configured files or the bundled defaults, the
 * operator's hosting lists after the bundled one, staleness limits and hot reload.
 */
export function dataConfigFromEnv (raw: Env): AppConfig['data'] {
  const bundled = bundledDataPaths()
  const extraLists = (raw.RISKGATE_HOSTING_LISTS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
  const data: AppConfig['data'] = {
    countryDb: raw.RISKGATE_MMDB_COUNTRY ?? bundled.countryDb,
    asnDb: raw.RISKGATE_MMDB_ASN ?? bundled.asnDb,
    hostingAsnFiles: [bundled.hostingAsns, ...extraLists],
    maxAgeDays: { mmdb: raw.RISKGATE_DATA_MAX_AGE_DAYS, tor: raw.RISKGATE_TOR_MAX_AGE_DAYS }
  }
  if (raw.RISKGATE_MMDB_ANONYMOUS !== undefined) data.anonymousDb = raw.RISKGATE_MMDB_ANONYMOUS
  if (raw.RISKGATE_TOR_EXITS_FILE !== undefined) data.torExitsFile = raw.RISKGATE_TOR_EXITS_FILE
  if (raw.RISKGATE_DATA_CHECK_INTERVAL_SECONDS > 0) data.reload = { intervalMs: raw.RISKGATE_DATA_CHECK_INTERVAL_SECONDS * 1000 }
  return data
}

/**
 * The IP data configuration alone, validated from the environment exactly as the server does it,
 * without the secrets and side effects of loadConfig (for the `riskgate data` commands).
 */
export function loadDataConfig (env: Record<string, string | undefined>): AppConfig['data'] {
  return dataConfigFromEnv(parseEnv(env))
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

  if (raw.RISKGATE_REDIS_URL !== undefined && raw.RISKGATE_REDIS_CLUSTER_NODES !== undefined) {
    throw new ConfigError('set RISKGATE_REDIS_URL or RISKGATE_REDIS_CLUSTER_NODES, not both')
  }
  const redis: AppConfig['redis'] = {}
  if (raw.RISKGATE_REDIS_URL !== undefined) redis.url = raw.RISKGATE_REDIS_URL
  if (raw.RISKGATE_REDIS_CLUSTER_NODES !== undefined) redis.clusterNodes = raw.RISKGATE_REDIS_CLUSTER_NODES.split(',')
  if (redis.url === undefined && redis.clusterNodes === undefined) {
    warnings.push('no Redis configured: velocity counters and decisions are kept in process (one instance only, lost on restart)')
  }

  const omiseWebhookSecrets = (raw.RISKGATE_OMISE_WEBHOOK_SECRETS ?? '')
    .split(',').map((s) => s.trim()).filter((s) => s !== '')
    .map((s, i) => {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) throw new ConfigError(`RISKGATE_OMISE_WEBHOOK_SECRETS entry ${i + 1} is not base64`)
      return Buffer.from(s, 'base64')
    })

  const data = dataConfigFromEnv(raw)

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
    rulesDir: raw.RISKGATE_RULES_DIR,
    data,
    apiKeys,
    hashKey,
    omiseWebhookSecrets,
    logLevel: raw.RISKGATE_LOG_LEVEL,
    deadlineMs: raw.RISKGATE_DEADLINE_MS,
    decisionLog: {
      ...(raw.RISKGATE_DECISION_LOG_MAX !== undefined ? { maxPerPartition: raw.RISKGATE_DECISION_LOG_MAX } : {}),
      partitions: raw.RISKGATE_DECISION_LOG_PARTITIONS,
      ttlSeconds: raw.RISKGATE_DECISION_LOG_TTL_SECONDS
    },
    ...(tls !== undefined ? { tls } : {}),
    shedding: sheddingConfigFromEnv(raw)
  }
  return devKeyFile === undefined ? { config, warnings } : { config, warnings, devKeyFile }
}
