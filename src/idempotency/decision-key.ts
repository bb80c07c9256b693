import { createKeyedDigest } from '../hashing/keyed-digest.js'

/**
 * Where a charge's decision lives. The decision id is derived from the charge id with the hash key
 * (one HMAC per request), so a charge id has exactly one decision id, in every process and after
 * every retry, and the decision id finds the decision without any other index.
 */
export interface DecisionKey {
  /** a UUID (version 8: its 122 free bits are the first 16 bytes of HMAC-SHA256 of the charge id) */
  decisionId: string
  /** the same 16 bytes, base64url (22 characters): the decision's field in the log's indexes */
  field: string
  /** the log partition (a Redis Cluster slot of its own) that holds the decision */
  partition: number
}

export interface DecisionKeys {
  ofCharge: (chargeId: string) => DecisionKey
  /** undefined when the id is not a decision id riskgate gives (wrong shape) */
  ofDecisionId: (decisionId: string) => DecisionKey | undefined
  readonly partitions: number
}

const DOMAIN = 'decision'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const UUID_GROUPS = /^(.{8})(.{4})(.{4})(.{4})/

/**
 * The UUID text of 16 bytes. One replace writes it as one flat string: a template of five slices
 * builds a tree of nine strings, which an id kept past a scavenge (in an outbox entry, an attempt
 * still deciding) keeps whole: 358-364 bytes a charge of objects that survived a scavenge against
 * 160 with the replace (`node --import tsx bench/allocation.ts --survivors --in-flight 50`)
 */
function uuidOf (bytes: Buffer): string {
  return bytes.toString('hex').replace(UUID_GROUPS, '$1-$2-$3-$4-')
}

/** the decision id whose 16 bytes a field holds */
export function decisionIdOfField (field: string): string {
  return uuidOf(Buffer.from(field, 'base64url'))
}

function keyOf (bytes: Buffer, partitions: number): DecisionKey {
  return {
    decisionId: uuidOf(bytes),
    field: bytes.toString('base64url'),
    partition: bytes.readUInt32BE(12) % partitions
  }
}

export function createDecisionKeys (hashKey: string, partitions: number): DecisionKeys {
  if (!Number.isSafeInteger(partitions) || partitions < 1) throw new RangeError('partitions must be a positive integer')
  const digest = createKeyedDigest(hashKey)
  return {
    partitions,
    ofCharge (chargeId) {
      // a Buffer of its own (createKeyedDigest gives a new one each call): set in place
      const bytes = digest(DOMAIN, chargeId).subarray(0, 16)
      // RFC 9562 version 8 (custom) and the RFC variant: 122 bits of the digest remain
      bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80
      bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80
      return keyOf(bytes, partitions)
    },
    ofDecisionId (decisionId) {
      if (!UUID.test(decisionId)) return undefined
      return keyOf(Buffer.from(decisionId.replace(/-/g, ''), 'hex'), partitions)
    }
  }
}
