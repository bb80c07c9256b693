import { createKeyedDigest } from '../hashing/keyed-digest.js'

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

/**
 * JSON with every object's keys sorted: two bodies that say the same thing (whatever the order of
 * their fields) give the same text. Values are JSON values (a parsed request body). With the body's
 * Shape, its closed objects are walked in their schema's sorted key order (a key outside the shape
 * is not part of the text: the schema refuses such bodies before they are fingerprinted).
 */
export function canonicalJson (value: unknown, shape?: Shape): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i], shape)
    return out + ']'
  }
  const object = value as Record<string, unknown>
  const keys = shape?.keys ?? Object.keys(object).sort()
  let out = '{'
  let first = true
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const v = object[key]
    if (v === undefined) continue
    const text = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'number' ? JSON.stringify(v) : canonicalJson(v, shape?.children[key])
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + text
    first = false
  }
  return out + '}'
}

/**
 * The fingerprint of a request body: a keyed hash (22 base64url characters) of its canonical JSON.
 * Stored with the decision, so that a retry of a charge id with another body (any field) is told
 * apart from a retry of the same request; it reveals nothing of the body without the hash key.
 */
export type BodyFingerprint = (body: unknown) => string

export function createBodyFingerprint (hashKey: string, shape?: Shape): BodyFingerprint {
  const digest = createKeyedDigest(hashKey)
  return (body) => digest('body', canonicalJson(body, shape)).subarray(0, 16).toString('base64url')
}
