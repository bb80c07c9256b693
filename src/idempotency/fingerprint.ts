import { createKeyedDigest128 } from '../hashing/keyed-digest.js'

/**
 * The keys of a closed object schema (`additionalProperties: false`), sorted, and the shapes of
 * its object (or array of object) properties: canonical JSON of a body valid against the schema
 * can walk these fixed lists instead of sorting each object's own keys.
 */
export interface Shape {
  keys: readonly string[]
  children: Readonly<Record<string, Shape>>
}

interface JsonSchemaNode {
  type?: string
  properties?: Record<string, JsonSchemaNode>
  additionalProperties?: unknown
  items?: JsonSchemaNode
}

/** The Shape of a closed object schema (TypeBox or plain JSON Schema); open objects get none. */
export function shapeOf (schema: JsonSchemaNode): Shape | undefined {
  const node = schema.type === 'array' && schema.items !== undefined ? schema.items : schema
  if (node.type !== 'object' || node.properties === undefined || node.additionalProperties !== false) return undefined
  const children: Record<string, Shape> = {}
  for (const [key, child] of Object.entries(node.properties)) {
    const shape = shapeOf(child)
    if (shape !== undefined) children[key] = shape
  }
  return { keys: Object.keys(node.properties).sort(), children }
}

/** thrown by sortedCopy for a key that a copy cannot hold as a plain property */
const UNCOPYABLE = Symbol('uncopyable')

/**
 * A copy of the value whose objects hold their keys in sorted order (closed objects of the shape
 * in their schema's order): JSON.stringify of it is the canonical text, built in native code.
 */
function sortedCopy (value: unknown, shape: Shape | undefined): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => sortedCopy(item, shape))
  const object = value as Record<string, unknown>
  const keys = shape?.keys ?? Object.keys(object).sort()
  const copy: Record<string, unknown> = {}
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const v = object[key]
    if (v === undefined) continue
    if (key === '__proto__') throw UNCOPYABLE
    copy[key] = v !== null && typeof v === 'object' ? sortedCopy(v, shape?.children[key]) : v
  }
  return copy
}

/** canonicalJson written piece by piece: for what a copy cannot hold */
function canonicalText (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(',')}]`
  const object = value as Record<string, unknown>
  const parts: string[] = []
  for (const key of Object.keys(object).sort()) {
    if (object[key] !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalText(object[key])}`)
  }
  return `{${parts.join(',')}}`
}

/**
 * JSON of the value with every object's keys in one order whatever the order they came in: two
 * bodies that say the same thing (whatever the order of their fields) give the same text. Values
 * are JSON values (a parsed request body). With the body's Shape, its closed objects take their
 * schema's sorted key order (a key outside the shape is not part of the text: the schema refuses
 * such bodies before they are fingerprinted); other objects their own keys, sorted. (JSON.stringify
 * writes integer-like keys first, in numeric order: the same for every body.)
 */
export function canonicalJson (value: unknown, shape?: Shape): string {
  try {
    return JSON.stringify(sortedCopy(value, shape)) ?? 'null'
  } catch (err) {
    if (err !== UNCOPYABLE) throw err
    return canonicalText(value)
  }
}

/**
 * The fingerprint of a request body: 72 bits of a keyed hash of its canonical JSON, 12 base64url
 * characters. Stored with the decision, so that a retry of a charge id with another body (any
 * field) is told apart from a retry of the same request; it reveals nothing of the body without
 * the hash key. Two bodies of one charge id share a fingerprint by chance once in 2^72 retries.
 * (Earlier versions stored 22 characters, of which a fingerprint is the first 12: sameBody.)
 */
export type BodyFingerprint = (body: unknown) => string

export const FINGERPRINT_LENGTH = 12
/** the fingerprints of earlier versions (and of RISKGATE_DECISION_LOG_FORMAT 2): 22 characters */
export const EARLIER_FINGERPRINT_LENGTH = 22

export function createBodyFingerprint (hashKey: string, shape?: Shape, length: number = FINGERPRINT_LENGTH): BodyFingerprint {
  const digest = createKeyedDigest128(hashKey)
  return (body) => digest('body', canonicalJson(body, shape)).slice(0, length)
}

/**
 * Whether a stored fingerprint is the fingerprint of this body: the same, or one of 12 characters
 * the first 12 of the other's 22, whichever was stored (an earlier version, or one writing
 * RISKGATE_DECISION_LOG_FORMAT 2, stores and computes 22; this one 12).
 */
export function sameBody (stored: string, fingerprint: string): boolean {
  if (stored === fingerprint) return true
  const [short, long] = stored.length < fingerprint.length ? [stored, fingerprint] : [fingerprint, stored]
  return short.length >= FINGERPRINT_LENGTH && short.length < long.length && long.startsWith(short)
}
