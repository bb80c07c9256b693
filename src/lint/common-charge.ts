import type { ASTNode } from '@marcbachmann/cel-js'
import { evaluate } from '../engine/evaluate.js'
import type { Features } from '../engine/features.js'
import type { CompiledRule, CompiledRuleSet } from '../engine/ruleset.js'
import type { Domain } from './domains.js'
import { atomsOf } from './formula.js'
import type { Constant, Formula } from './formula.js'
import { seededRandom } from '../util/seeded-random.js'

/** What the search knows of one rule: its compiled form, its formula and its parsed condition. */
export interface RuleFacts {
  rule: CompiledRule
  formula: Formula
  ast: ASTNode
}

export interface CommonChargeOptions {
  /** random feature combinations tried after the solver's models */
  samples?: number
  seed?: number
  domain: (path: string) => Domain
}

/** A charge on which every given rule fires: the values of the paths they read. */
export type Example = Record<string, Constant | Array<Record<string, Constant>>>

const BASE = {
  amount: 0,
  currency: 'THB',
  item_count: 0,
  ip: { address: '203.0.113.10', version: 4, is_private: false },
  customer: {}
} as const

function literals (node: ASTNode, out: { strings: Set<string>, numbers: Set<number> }): void {
  if (node.op === 'value') {
    if (typeof node.args === 'string') out.strings.add(node.args)
    else if (typeof node.args === 'bigint') out.numbers.add(Number(node.args))
    else if (typeof node.args === 'number') out.numbers.add(node.args)
    return
  }
  const args = node.args as unknown
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit)
    else if (value !== null && typeof value === 'object' && 'op' in value) literals(value as ASTNode, out)
  }
  visit(args)
}

/** Builds Features from path values (`ip.country` -> features.ip.country). */
export function featuresOf (values: Example): Features {
  const features: Record<string, unknown> = { ...BASE, ip: { ...BASE.ip }, customer: {}, items: [], metadata: {} }
  for (const [path, value] of Object.entries(values)) {
    const segments = path.split('.')
    let node = features
    for (const segment of segments.slice(0, -1)) {
      const next = node[segment]
      node = (next !== null && typeof next === 'object' ? next : (node[segment] = {})) as Record<string, unknown>
    }
    node[segments[segments.length - 1] as string] = value
  }
  if (!('item_count' in values) && Array.isArray(features.items)) {
    features.item_count = (features.items as Array<{ quantity?: number }>).reduce((n, item) => n + (item.quantity ?? 1), 0)
  }
  return features as unknown as Features
}

function candidates (path: string, facts: readonly RuleFacts[], ruleSet: CompiledRuleSet, domain: Domain, strings: Set<string>, numbers: Set<number>): Array<Example[string]> {
  const out: Array<Example[string]> = []
  const add = (value: Example[string]): void => {
    if (!out.some((v) => JSON.stringify(v) === JSON.stringify(value))) out.push(value)
  }
  if (path === 'items') {
    add([])
    const quantity = Math.max(1, ...[...numbers].filter((n) => Number.isInteger(n) && n > 0 && n < 1_000_000))
    for (const s of strings) add([{ sku: s, name: s, category: s, quantity, unit_price: quantity }])
    return out
  }
  for (const f of facts) {
    for (const atom of atomsOf(f.formula)) {
      if (atom.kind === 'compare' && atom.path === path) {
        add(atom.value)
        if (typeof atom.value === 'number') {
          add(atom.value + 1)
          if (atom.value >= 1) add(atom.value - 1)
        }
      } else if (atom.kind === 'member' && atom.path === path) {
        for (const v of [...(ruleSet.lists.get(atom.list) ?? [])].slice(0, 3)) add(v)
      }
    }
  }
  switch (domain.kind) {
    case 'bool': add(true); add(false); break
    case 'string':
      domain.samples.forEach(add)
      // free text (description) is read through functions: try the literals the conditions use
      for (const s of strings) if (domain.test(s)) add(s)
      break
    case 'number':
      if (domain.values !== undefined) domain.values.forEach(add)
      else add(domain.min ?? 0)
      break
    default:
      for (const s of strings) add(s)
      for (const n of numbers) add(n)
  }
  if (out.length === 0) add('x')
  return out
}

/**
 * Looks for a concrete charge on which all the given rules fire, by evaluating candidate charges
 * with the real engine: first the solver's models (`hints`), then seeded random combinations of
 * the constants the conditions compare with, list entries and typical values. Deterministic for
 * a seed. Returns the values of the paths the rules read, or undefined when none was found.
 */
export function findCommonCharge (ruleSet: CompiledRuleSet, facts: readonly RuleFacts[], hints: ReadonlyArray<ReadonlyMap<string, Constant>>, options: CommonChargeOptions): Example | undefined {
  const ids = facts.map((f) => f.rule.id)
  // `metadata` read as a whole stays the empty map of the base charge
  const paths = [...new Set(facts.flatMap((f) => f.rule.shows.map((read) => read.path)))].filter((path) => path !== 'metadata')
  const strings = new Set<string>()
  const numbers = new Set<number>()
  for (const f of facts) literals(f.ast, { strings, numbers })
  const pools = new Map(paths.map((path) => [path, candidates(path, facts, ruleSet, options.domain(path), strings, numbers)]))

  // the same rule set reduced to these rules: the engine evaluates only them (same semantics)
  const subset: CompiledRuleSet = { ...ruleSet, rules: facts.map((f) => f.rule) }
  const fires = (values: Example): boolean => {
    const evaluation = evaluate(subset, featuresOf(values))
    const fired = new Set([...evaluation.reasons, ...evaluation.shadow.reasons].map((r) => r.rule))
    return ids.every((id) => fired.has(id))
  }

  for (const hint of hints) {
    const values: Example = {}
    for (const path of paths) {
      const v = hint.get(path)
      values[path] = v ?? (pools.get(path)?.[0] as Example[string])
    }
    if (fires(values)) return values
  }
  const random = seededRandom(options.seed ?? 1)
  const samples = options.samples ?? 2_000
  for (let i = 0; i < samples; i++) {
    const values: Example = {}
    for (const path of paths) {
      const pool = pools.get(path) ?? ['x']
      values[path] = pool[Math.floor(random() * pool.length)] as Example[string]
    }
    if (fires(values)) return values
  }
  return undefined
}

/** `customer.id = "cus_1", amount = 2000000` */
export function formatExample (example: Example): string {
  return Object.entries(example).map(([path, value]) => `${path} = ${JSON.stringify(value)}`).join(', ')
}
