import type { Env } from './env-schema.js'
import { connectionOf, RedisSettingsError, resolveRedisConnection } from '../redis/connection.js'
import type { RedisSettings } from '../redis/connection.js'

type RedisEnv = Pick<Env, 'RISKGATE_REDIS_URL' | 'RISKGATE_REDIS_CLUSTER_NODES' | 'RISKGATE_REDIS_SENTINELS' | 'RISKGATE_REDIS_SENTINEL_NAME'
| 'RISKGATE_REDIS_USERNAME' | 'RISKGATE_REDIS_PASSWORD' | 'RISKGATE_REDIS_DB' | 'RISKGATE_REDIS_TLS_CA_FILE'>

function list (value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((entry) => entry.trim())
}

/**
 * The Redis settings of the environment, checked as the client will use them (exactly one of URL,
 * Cluster nodes and sentinels; every address parsed; credentials and TLS that agree; the CA file
 * readable). Throws RedisSettingsError, whose message names the setting and never a password.
 */
export function redisSettingsFromEnv (raw: RedisEnv): RedisSettings {
  const settings: RedisSettings = {}
  const entries: Array<[keyof RedisSettings, unknown]> = [
    ['url', raw.RISKGATE_REDIS_URL],
    ['clusterNodes', list(raw.RISKGATE_REDIS_CLUSTER_NODES)],
    ['sentinels', list(raw.RISKGATE_REDIS_SENTINELS)],
    ['sentinelName', raw.RISKGATE_REDIS_SENTINEL_NAME],
    ['username', raw.RISKGATE_REDIS_USERNAME],
    ['password', raw.RISKGATE_REDIS_PASSWORD],
    ['db', raw.RISKGATE_REDIS_DB],
    ['tlsCaFile', raw.RISKGATE_REDIS_TLS_CA_FILE]
  ]
  for (const [name, value] of entries) if (value !== undefined) Object.assign(settings, { [name]: value })
  const connection = connectionOf(settings)
  if (connection !== null) resolveRedisConnection(connection)
  return settings
}

/**
 * The same from a raw environment (the CLI's, not validated by the env schema): an empty setting
 * is an unset one, RISKGATE_REDIS_DB must be a whole number.
 */
export function redisSettingsFromRawEnv (env: Readonly<Record<string, string | undefined>>): RedisSettings {
  const value = (name: keyof RedisEnv): string | undefined => env[name] === '' ? undefined : env[name]
  const db = value('RISKGATE_REDIS_DB')
  if (db !== undefined && !/^[0-9]{1,5}$/.test(db)) throw new RedisSettingsError('RISKGATE_REDIS_DB: the database must be a number from 0')
  return redisSettingsFromEnv({
    RISKGATE_REDIS_URL: value('RISKGATE_REDIS_URL'),
    RISKGATE_REDIS_CLUSTER_NODES: value('RISKGATE_REDIS_CLUSTER_NODES'),
    RISKGATE_REDIS_SENTINELS: value('RISKGATE_REDIS_SENTINELS'),
    RISKGATE_REDIS_SENTINEL_NAME: value('RISKGATE_REDIS_SENTINEL_NAME'),
    RISKGATE_REDIS_USERNAME: value('RISKGATE_REDIS_USERNAME'),
    RISKGATE_REDIS_PASSWORD: value('RISKGATE_REDIS_PASSWORD'),
    RISKGATE_REDIS_DB: db === undefined ? undefined : Number(db),
    RISKGATE_REDIS_TLS_CA_FILE: value('RISKGATE_REDIS_TLS_CA_FILE')
  })
}
