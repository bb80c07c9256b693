import type { RedisClient } from '../redis/client.js'
import { validateKeyPrefix } from '../velocity/redis-keys.js'

export const ReloadResult = {
  /** the new set is live */
  APPLIED: 'applied',
  /** the folder holds the set already live (same hash) */
  UNCHANGED: 'unchanged',
  /** the new set has errors: the old one stays live */
  REFUSED: 'refused',
  /** the reload failed for another reason (a fault of riskgate's): the old set stays live */
  FAILED: 'failed'
} as const
export type ReloadResult = typeof ReloadResult[keyof typeof ReloadResult]

/** What a challenger change did (src/rollout/); an entry without one is a reload of the live folder. */
export const ChallengerAction = {
  /** a challenger was read from its folder and staged beside the live set */
  STAGE: 'stage',
  /** the staged challenger was dropped */
  DROP: 'drop',
  /** the staged challenger became the live set */
  PROMOTE: 'promote'
} as const
export type ChallengerAction = typeof ChallengerAction[keyof typeof ChallengerAction]

/** The challenger an audited change concerned. */
export interface AuditedChallenger {
  /** its folder, as given (relative to the working directory when inside it) */
  rules_dir: string
  mode: 'shadow' | 'enforce'
  percent: number | null
  by: 'customer.id' | 'card.fingerprint' | null
  /** null when it did not compile */
  version: string | null
  hash: string | null
}

/** One reload attempt or challenger change, as the audit log keeps it. Entries are only ever appended. */
export interface RuleAuditEntry {
  /** ISO 8601 time of the attempt */
  at: string
  /** who asked: the API key id, or `SIGHUP` */
  actor: string
  result: ReloadResult
  /** the set live before the attempt */
  previous: { version: string, hash: string }
  /** the set read from the folder; null when it did not compile */
  loaded: { version: string, hash: string } | null
  /** `file:line:col message` of each problem of a refused set */
  errors: string[]
  /** absent: a reload of the live folder; else what was done with the challenger */
  action?: ChallengerAction
  /** the challenger staged, dropped or promoted (with `action`) */
  challenger?: AuditedChallenger
}

export interface RuleAuditLog {
  readonly backend: 'redis' | 'memory'
  append: (entry: RuleAuditEntry) => Promise<void>
  /** the latest `limit` entries, newest first */
  latest: (limit: number) => Promise<RuleAuditEntry[]>
}

/** 10,000 reloads: years of history at a few a day. The bound keeps a runaway loop from filling Redis. */
export const DEFAULT_AUDIT_MAX_ENTRIES = 10_000
export const DEFAULT_AUDIT_KEY_PREFIX = 'rg:v1:audit:'

export interface RuleAuditLogOptions {
  /** null: in process (one instance; lost on restart) */
  redis: RedisClient | null
  keyPrefix?: string
  maxEntries?: number
}

/**
 * The rule reload audit log: a Redis stream `<prefix>{rules}:stream` (one key, XADD MAXLEN ~),
 * shared by every instance, or an array in process.
 */
export function createRuleAuditLog (options: RuleAuditLogOptions): RuleAuditLog {
  const maxEntries = options.maxEntries ?? DEFAULT_AUDIT_MAX_ENTRIES
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer')
  const { redis } = options
  if (redis !== null) {
    const prefix = options.keyPrefix ?? DEFAULT_AUDIT_KEY_PREFIX
    validateKeyPrefix(prefix)
    const key = `${prefix}{rules}:stream`
    return {
      backend: 'redis',
      async append (entry) {
        await redis.xadd(key, 'MAXLEN', '~', String(maxEntries), '*', 'e', JSON.stringify(entry))
      },
      async latest (limit) {
        const entries = await redis.xrevrange(key, '+', '-', 'COUNT', limit)
        return entries.flatMap(([, fields]) => {
          const json = fields[fields.indexOf('e') + 1]
          return json === undefined ? [] : [JSON.parse(json) as RuleAuditEntry]
        })
      }
    }
  }
  const entries: string[] = []
  return {
    backend: 'memory',
    async append (entry) {
      entries.push(JSON.stringify(entry))
      if (entries.length > maxEntries) entries.splice(0, entries.length - maxEntries)
    },
    async latest (limit) {
      return entries.slice(-limit).reverse().map((json) => JSON.parse(json) as RuleAuditEntry)
    }
  }
}
