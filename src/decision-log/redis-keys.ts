import { validateKeyPrefix } from '../velocity/redis-keys.js'

/** Prefix of every decision log key; bump the version when the layout changes. */
export const DEFAULT_DECISION_LOG_PREFIX = 'rg:v1:dlog:'

/**
 * The decision log's keys. Every command touches one key, so the layout works on Redis Cluster:
 * - `<prefix>{p<n>}:stream`: partition n, a stream capped with MAXLEN ~ (hash tag: one slot each);
 * - `<prefix>d:<keyed hash of the decision id>`: hash with the record's place (partition, stream id)
 *   and its latest outcome, with a TTL;
 * - `<prefix>c:<keyed hash of a charge id>`: the decision id of a charge (the merchant's charge id,
 *   or a gateway charge id learned from a webhook), with a TTL.
 */
export interface DecisionLogKeys {
  stream: (partition: number) => string
  decision: (decisionIdHash: string) => string
  charge: (chargeIdHash: string) => string
}

export function decisionLogKeys (prefix = DEFAULT_DECISION_LOG_PREFIX): DecisionLogKeys {
  validateKeyPrefix(prefix)
  return {
    stream: (partition) => `${prefix}{p${partition}}:stream`,
    decision: (hash) => `${prefix}d:${hash}`,
    charge: (hash) => `${prefix}c:${hash}`
  }
}
