import { validateKeyPrefix } from '../velocity/redis-keys.js'

/** Prefix of every decision log key; bump the version when the layout changes. */
export const DEFAULT_DECISION_LOG_PREFIX = 'rg:v2:log:'

/**
 * The decision log's keys (see redis-scripts.ts for what each holds). A partition's keys share the
 * hash tag `{p<n>}`, so every script runs in one Redis Cluster slot:
 * - `<prefix>{p<n>}:s` the records (a stream), `:i` the index (and the reservations of charges
 *   being decided), `:o` the latest outcomes, `:h` the outcome histories, `:c` how reviews were
 *   closed;
 * - `<prefix>{p<n>}:` followed by the names of the search indexes and overview counts, which the
 *   scripts build from it (search-keys.ts): `k:<a|r|b>`, `f:<rule>`, `l:<label>`,
 *   `U:<e|i|c|u>`, `u:<e|i|c|u>`, `ro`, `rc`, `n:<hour>`, and `R` the partition's rule codes
 *   (redis-scripts.ts);
 * - `<prefix>ctx` the record contexts (rule set, data versions, counter names), shared;
 * - `<prefix>partitions` the log's number of partitions (partition-count.ts), shared;
 * - `<prefix>a:<keyed digest of a gateway charge id>` the decision id it was linked to.
 */
export interface DecisionLogKeys {
  stream: (partition: number) => string
  index: (partition: number) => string
  outcomes: (partition: number) => string
  history: (partition: number) => string
  closes: (partition: number) => string
  /** what every key of the partition starts with (the search indexes are named from it) */
  partition: (partition: number) => string
  contexts: string
  /** the number of partitions the log was written with (partition-count.ts) */
  partitions: string
  alias: (digest: string) => string
}

export function decisionLogKeys (prefix = DEFAULT_DECISION_LOG_PREFIX): DecisionLogKeys {
  validateKeyPrefix(prefix)
  return {
    stream: (p) => `${prefix}{p${p}}:s`,
    index: (p) => `${prefix}{p${p}}:i`,
    outcomes: (p) => `${prefix}{p${p}}:o`,
    history: (p) => `${prefix}{p${p}}:h`,
    closes: (p) => `${prefix}{p${p}}:c`,
    partition: (p) => `${prefix}{p${p}}:`,
    contexts: `${prefix}ctx`,
    partitions: `${prefix}partitions`,
    alias: (digest) => `${prefix}a:${digest}`
  }
}
