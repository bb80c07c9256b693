import type { Node, YAMLMap } from 'yaml'
import { CelScalar, GROUP_ROOTS, ITEM_FIELDS, SCALAR_ROOTS } from './feature-catalog.js'
import type { FieldGroup, GroupRoot } from './feature-catalog.js'
import type { Features } from './features.js'
import type { Decision } from './ruleset.js'
import { checkKeys, entryOf, isMapNode, isScalarNode, isSeqNode, mapEntries, YamlSource } from './yaml-source.js'
import type { SourceError } from './yaml-source.js'

const DECISIONS: readonly string[] = ['allow', 'review', 'block']
const CASE_KEYS = ['name', 'features', 'expect'] as const
const EXPECT_KEYS = ['decision', 'score', 'fired', 'not_fired', 'skipped', 'shadow'] as const
const SHADOW_KEYS = ['decision', 'score', 'fired'] as const
const FEATURE_KEYS = [...Object.keys(SCALAR_ROOTS), ...Object.keys(GROUP_ROOTS), 'items', 'metadata', 'velocity'] as const

export interface ShadowExpectation {
  decision?: Decision
  score?: number
  fired?: string[]
}

export interface Expectation {
  decision: Decision
  score?: number
  /** exactly the live rules that fire */
  fired: string[]
  /** none of these fire (live or shadow) */
  notFired: string[]
  /** each of these is skipped (unknown input or run-time error) */
  skipped: string[]
  shadow?: ShadowExpectation
}

export interface RuleTestCase {
  file: string
  line: number
  name: string
  features: Features
  expect: Expectation
}

export interface ParsedRuleTests {
  cases: RuleTestCase[]
  errors: SourceError[]
}

/** Defaults of a test case's charge: every signal not given is unknown, as in production. */
export const TEST_CASE_DEFAULTS = {
  amount: 0,
  currency: 'THB',
  ip: { address: '203.0.113.10', version: 4, is_private: false }
} as const

function scalarValue (node: Node | null | undefined): unknown {
  return isScalarNode(node) ? node.value : undefined
}

function checkScalar (source: YamlSource, node: Node | null, type: CelScalar, path: string, caseName: string): unknown {
  const value = scalarValue(node)
  const ok =
    (type === CelScalar.STRING && typeof value === 'string') ||
    (type === CelScalar.BOOL && typeof value === 'boolean') ||
    (type === CelScalar.INT && typeof value === 'number' && Number.isSafeInteger(value)) ||
    (type === CelScalar.DOUBLE && typeof value === 'number' && Number.isFinite(value))
  if (!ok) {
    source.error(node, `features.${path} must be ${type === CelScalar.INT ? 'an integer' : type === CelScalar.DOUBLE ? 'a number' : `a ${type}`}`, caseName)
    return undefined
  }
  return value
}

function readGroup (source: YamlSource, node: Node | null, fields: FieldGroup, path: string, caseName: string): Record<string, unknown> | undefined {
  if (!isMapNode(node)) {
    source.error(node, `features.${path} must be a map of ${Object.keys(fields).join(', ')}`, caseName)
    return undefined
  }
  const entries = mapEntries(source, node, caseName)
  checkKeys(source, entries, Object.keys(fields), `features.${path}`, caseName)
  const out: Record<string, unknown> = {}
  for (const entry of entries) {
    const type = fields[entry.key]
    if (type === undefined) continue
    const value = checkScalar(source, entry.value, type, `${path}.${entry.key}`, caseName)
    if (value !== undefined) out[entry.key] = value
  }
  return out
}

function readFeatures (source: YamlSource, node: Node | null | undefined, caseName: string): Features {
  const features: Record<string, unknown> = {
    amount: TEST_CASE_DEFAULTS.amount,
    currency: TEST_CASE_DEFAULTS.currency,
    items: [],
    metadata: {},
    ip: { ...TEST_CASE_DEFAULTS.ip },
    customer: {}
  }
  let itemCountGiven = false
  if (node !== undefined && node !== null) {
    if (!isMapNode(node)) {
      source.error(node, 'features must be a map (amount, ip, email, card, velocity, ...)', caseName)
    } else {
      const entries = mapEntries(source, node, caseName)
      checkKeys(source, entries, FEATURE_KEYS, 'features', caseName)
      for (const { key, value } of entries) {
        const scalarType = SCALAR_ROOTS[key]
        if (scalarType !== undefined) {
          const v = checkScalar(source, value, scalarType, key, caseName)
          if (v !== undefined) features[key] = v
          if (key === 'item_count') itemCountGiven = true
        } else if (Object.hasOwn(GROUP_ROOTS, key)) {
          const group = readGroup(source, value, GROUP_ROOTS[key as GroupRoot].fields, key, caseName)
          if (group !== undefined) features[key] = key === 'ip' ? { ...TEST_CASE_DEFAULTS.ip, ...group } : group
        } else if (key === 'items') {
          features.items = readItems(source, value, caseName)
        } else if (key === 'metadata') {
          features.metadata = readMetadata(source, value, caseName)
        } else if (key === 'velocity') {
          features.velocity = readVelocity(source, value, caseName)
        }
      }
    }
  }
  if (!itemCountGiven) {
    let count = 0
    for (const item of features.items as Array<{ quantity?: number }>) count += item.quantity ?? 1
    features.item_count = count
  }
  return features as unknown as Features
}

function readItems (source: YamlSource, node: Node | null, caseName: string): unknown[] {
  if (!isSeqNode(node)) {
    source.error(node, 'features.items must be a list of { sku, name, category, quantity, unit_price }', caseName)
    return []
  }
  const items: unknown[] = []
  for (const item of node.items as Array<Node | null>) {
    const value = readGroup(source, item, ITEM_FIELDS, 'items[]', caseName)
    if (value !== undefined) items.push(value)
  }
  return items
}

function readMetadata (source: YamlSource, node: Node | null, caseName: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (!isMapNode(node)) {
    source.error(node, 'features.metadata must be a map of strings, numbers and booleans', caseName)
    return out
  }
  for (const entry of mapEntries(source, node, caseName)) {
    const value = scalarValue(entry.value)
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      out[entry.key] = value
    } else {
      source.error(entry.value ?? entry.keyNode, `features.metadata.${entry.key} must be a string, number or boolean`, caseName)
    }
  }
  return out
}

function readVelocity (source: YamlSource, node: Node | null, caseName: string): Record<string, number> {
  const out: Record<string, number> = {}
  if (!isMapNode(node)) {
    source.error(node, 'features.velocity must be a map of counter name -> integer', caseName)
    return out
  }
  for (const entry of mapEntries(source, node, caseName)) {
    const value = checkScalar(source, entry.value, CelScalar.INT, `velocity.${entry.key}`, caseName)
    if (typeof value === 'number') out[entry.key] = value
  }
  return out
}

function readIds (source: YamlSource, node: Node | null | undefined, key: string, caseName: string): string[] {
  if (node === undefined) return []
  if (!isSeqNode(node)) {
    source.error(node, `expect.${key} must be a list of rule ids ([] for none)`, caseName)
    return []
  }
  const ids: string[] = []
  for (const item of node.items as Array<Node | null>) {
    const id = scalarValue(item)
    if (typeof id === 'string') ids.push(id)
    else source.error(item ?? node, `expect.${key} must contain rule ids`, caseName)
  }
  return ids
}

function readDecision (source: YamlSource, node: Node | null | undefined, key: string, caseName: string): Decision | undefined {
  const value = scalarValue(node)
  if (typeof value === 'string' && DECISIONS.includes(value)) return value as Decision
  source.error(node, `${key} must be one of ${DECISIONS.join(', ')}`, caseName)
  return undefined
}

function readScore (source: YamlSource, node: Node | null, key: string, caseName: string): number | undefined {
  const value = scalarValue(node)
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100) return value
  source.error(node, `${key} must be an integer from 0 to 100`, caseName)
  return undefined
}

function readShadow (source: YamlSource, node: Node | null, caseName: string): ShadowExpectation {
  if (isScalarNode(node)) return { decision: readDecision(source, node, 'expect.shadow', caseName) ?? 'allow' }
  if (!isMapNode(node)) {
    source.error(node, 'expect.shadow must be a decision or { decision, score, fired }', caseName)
    return {}
  }
  const entries = mapEntries(source, node, caseName)
  checkKeys(source, entries, SHADOW_KEYS, 'expect.shadow', caseName)
  const shadow: ShadowExpectation = {}
  const decision = entryOf(entries, 'decision')
  if (decision !== undefined) shadow.decision = readDecision(source, decision.value, 'expect.shadow.decision', caseName) ?? 'allow'
  const score = entryOf(entries, 'score')
  if (score !== undefined) shadow.score = readScore(source, score.value, 'expect.shadow.score', caseName) ?? 0
  const fired = entryOf(entries, 'fired')
  if (fired !== undefined) shadow.fired = readIds(source, fired.value, 'shadow.fired', caseName)
  return shadow
}

function readExpect (source: YamlSource, node: Node | null | undefined, parent: YAMLMap, caseName: string): Expectation {
  const expect: Expectation = { decision: 'allow', fired: [], notFired: [], skipped: [] }
  if (!isMapNode(node)) {
    source.error(node ?? parent, 'expect is required: { decision, fired, ... }', caseName)
    return expect
  }
  const entries = mapEntries(source, node, caseName)
  checkKeys(source, entries, EXPECT_KEYS, 'expect', caseName)
  const decision = entryOf(entries, 'decision')
  if (decision === undefined) source.error(node, 'expect.decision is required', caseName)
  else expect.decision = readDecision(source, decision.value, 'expect.decision', caseName) ?? 'allow'
  const score = entryOf(entries, 'score')
  if (score !== undefined) expect.score = readScore(source, score.value, 'expect.score', caseName) ?? 0
  const fired = entryOf(entries, 'fired')
  if (fired === undefined) source.error(node, 'expect.fired is required: the exact list of live rules that fire ([] for none)', caseName)
  else expect.fired = readIds(source, fired.value, 'fired', caseName)
  expect.notFired = readIds(source, entryOf(entries, 'not_fired')?.value, 'not_fired', caseName)
  expect.skipped = readIds(source, entryOf(entries, 'skipped')?.value, 'skipped', caseName)
  const shadow = entryOf(entries, 'shadow')
  if (shadow !== undefined) expect.shadow = readShadow(source, shadow.value, caseName)
  return expect
}

/**
 * Parses a rule test file (rules/tests/*.yaml, format in rules/README.md): a list of cases, each
 * a partial charge with its signals and the expected outcome. Errors carry file:line:col.
 */
export function parseRuleTests (file: string, text: string): ParsedRuleTests {
  const source = new YamlSource(file, text)
  const cases: RuleTestCase[] = []
  if (source.errors.length > 0) return { cases, errors: source.errors }
  const root = source.root
  if (!isSeqNode(root)) {
    source.error(root, 'a rule test file is a list of cases: - name: ..., features: {...}, expect: {...}')
    return { cases, errors: source.errors }
  }
  const names = new Set<string>()
  for (const item of root.items as Array<Node | null>) {
    if (!isMapNode(item)) {
      source.error(item ?? root, 'each test case must be a map with name, features and expect')
      continue
    }
    const entries = mapEntries(source, item)
    const name = scalarValue(entryOf(entries, 'name')?.value)
    const caseName = typeof name === 'string' ? name : undefined
    checkKeys(source, entries, CASE_KEYS, 'a test case', caseName)
    if (caseName === undefined || caseName.trim() === '') {
      source.error(item, 'each test case needs a name (a string)')
      continue
    }
    if (names.has(caseName)) source.error(item, 'duplicate test case name in this file', caseName)
    names.add(caseName)
    cases.push({
      file,
      line: source.position(item.range?.[0] ?? 0).line,
      name: caseName,
      features: readFeatures(source, entryOf(entries, 'features')?.value, caseName),
      expect: readExpect(source, entryOf(entries, 'expect')?.value, item, caseName)
    })
  }
  return { cases, errors: source.errors }
}
