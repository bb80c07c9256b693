import { validateKeyPrefix } from '../velocity/redis-keys.js'

/** Prefix of every decision log key; bump the version when the layout changes. */
export const DEFAULT_DECISION_LOG_PREFIX = 'rg:v2:log:'

/**
 * The decision log's keys (see redis-scripts.ts for what each holds). A partition's keys share the
 * hash tag `{p<n>}`, so every script runs in one Redis Cluster slot:
 * - `<prefix>{p<n>}:s` the records (a stream), `:i` the index (and the reservations of charges
 *   being decided), `:o` the outcomes;
 * - `<prefix>ctx` the record contexts (rule set, data versions, counter names), shared;
 * - `<prefix>a:<keyed digest of a gateway charge id>` the decision id it was linked to.
 */
export interface DecisionLogKeys {
  stream: (partition: number) => string
  index: (partition: number) => string
  outcomes: (partition: number) => string
  contexts: string
  alias: (digest: string) => string
}

export function decisionLogKeys (prefix = DEFAULT_DECISION_LOG_PREFIX): DecisionLogKeys {
  validateKeyPrefix(prefix)
  return {
    stream: (p) => `${prefix}{p${p}}:s`,
    index: (p) => `${prefix}{p${p}}:i`,
    outcomes: (p) => `${prefix}{p${p}}:o`,
    contexts: `${prefix}ctx`,
    alias: (digest) => `${prefix}a:${digest}`
  }
}
