import type { Domain } from './domains.js'
import type { Atom, CompareOp, Constant, Formula, Span } from './formula.js'

/**
 * Decides whether a condition can be true, by expanding it into a disjunction of conjunctions
 * (bounded) and checking each conjunction against the domains of the paths it compares. Sound for
 * the "never" answers it gives: `unsat` means no charge can make the formula true; anything the
 * solver cannot reason about (an opaque call, a too-large expansion) makes it answer `unknown` or
 * `sat`, never a false `unsat`.
 */
export interface SolverContext {
  domain: (path: string) => Domain
  list: (name: string) => ReadonlySet<string> | undefined
}

export interface Literal {
  atom: Atom
  positive: boolean
}

export type SatResult =
  | { status: 'sat', model: Map<string, Constant> }
  | { status: 'unsat', reason: string, span?: Span }
  | { status: 'unknown' }

/** the most conjunctions an expansion may produce before the solver gives up */
export const MAX_TERMS = 512

class TooBig extends Error {}

type Conjunction = Literal[]
type Check = { ok: true, model: Map<string, Constant> } | { ok: false, reason: string, span?: Span }

interface Expansion {
  ctx: SolverContext
  /** why the first pruned conjunction could not be true */
  failure?: { reason: string, span?: Span }
}

function product (left: Conjunction[], right: Conjunction[], state: Expansion): Conjunction[] {
  const out: Conjunction[] = []
  for (const a of left) {
    for (const b of right) {
      const joined = [...a, ...b]
      // prune contradictions early so that long conjunctions of disjunctions stay small
      const check = checkConjunction(joined, state.ctx)
      if (!check.ok) {
        state.failure ??= check
        continue
      }
      out.push(joined)
      if (out.length > MAX_TERMS) throw new TooBig()
    }
  }
  return out
}

function dnf (formula: Formula, positive: boolean, state: Expansion): Conjunction[] {
  switch (formula.kind) {
    case 'const':
      if (formula.value === positive) return [[]]
      state.failure ??= { reason: `the condition contains the constant ${String(formula.value)}, which makes it always false`, span: formula.span }
      return []
    case 'atom':
      return [[{ atom: formula.atom, positive }]]
    case 'not':
      return dnf(formula.part, !positive, state)
    default: {
      const conjunctive = (formula.kind === 'and') === positive
      if (!conjunctive) {
        const out = formula.parts.flatMap((part) => dnf(part, positive, state))
        if (out.length > MAX_TERMS) throw new TooBig()
        return out
      }
      let acc: Conjunction[] = [[]]
      for (const part of formula.parts) {
        acc = product(acc, dnf(part, positive, state), state)
        if (acc.length === 0) return acc
      }
      return acc
    }
  }
}

const NEGATED: Readonly<Record<CompareOp, CompareOp>> = { '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' }

interface Bound { value: number, strict: boolean, span: Span }

interface PathFacts {
  eq: Array<{ value: Constant, span: Span }>
  neq: Constant[]
  lower?: Bound
  upper?: Bound
  members: Array<{ list: string, span: Span }>
  notMembers: string[]
  last: Span
}

function show (value: Constant): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function tighterLower (a: Bound | undefined, b: Bound): Bound {
  if (a === undefined || b.value > a.value || (b.value === a.value && b.strict)) return b
  return a
}

function tighterUpper (a: Bound | undefined, b: Bound): Bound {
  if (a === undefined || b.value < a.value || (b.value === a.value && b.strict)) return b
  return a
}

function collect (literals: Conjunction): { paths: Map<string, PathFacts>, opaque: Map<string, { positive: boolean, span: Span }[]> } {
  const paths = new Map<string, PathFacts>()
  const opaque = new Map<string, { positive: boolean, span: Span }[]>()
  for (const { atom, positive } of literals) {
    if (atom.kind === 'opaque') {
      const seen = opaque.get(atom.key) ?? []
      seen.push({ positive, span: atom.span })
      opaque.set(atom.key, seen)
      continue
    }
    let facts = paths.get(atom.path)
    if (facts === undefined) {
      facts = { eq: [], neq: [], members: [], notMembers: [], last: atom.span }
      paths.set(atom.path, facts)
    }
    facts.last = atom.span
    if (atom.kind === 'member') {
      if (positive) facts.members.push({ list: atom.list, span: atom.span })
      else facts.notMembers.push(atom.list)
      continue
    }
    const op = positive ? atom.op : NEGATED[atom.op]
    if (op === '==') facts.eq.push({ value: atom.value, span: atom.span })
    else if (op === '!=') facts.neq.push(atom.value)
    else if (typeof atom.value === 'number') {
      const bound = { value: atom.value, strict: op === '<' || op === '>', span: atom.span }
      if (op === '>' || op === '>=') facts.lower = tighterLower(facts.lower, bound)
      else facts.upper = tighterUpper(facts.upper, bound)
    }
  }
  return { paths, opaque }
}

function inBounds (value: number, facts: PathFacts): boolean {
  const { lower, upper } = facts
  if (lower !== undefined && (value < lower.value || (lower.strict && value === lower.value))) return false
  if (upper !== undefined && (value > upper.value || (upper.strict && value === upper.value))) return false
  return true
}

function domainAllows (domain: Domain, value: Constant): boolean {
  switch (domain.kind) {
    case 'any': return true
    case 'bool': return typeof value === 'boolean'
    case 'string': return typeof value === 'string' && domain.test(value)
    case 'number':
      if (typeof value !== 'number') return false
      if (domain.integer && !Number.isInteger(value)) return false
      if (domain.values !== undefined) return domain.values.includes(value)
      return (domain.min === undefined || value >= domain.min) && (domain.max === undefined || value <= domain.max)
  }
}

function domainWhy (path: string, domain: Domain): string {
  return domain.kind === 'number' || domain.kind === 'string' ? `${path} is ${domain.why}` : `${path} cannot take that value`
}

/** A value of an integer or real interval that avoids the excluded values, if there is one. */
function pickNumber (facts: PathFacts, domain: Domain): number | undefined {
  const integer = domain.kind === 'number' && domain.integer
  const excluded = new Set(facts.neq.filter((v): v is number => typeof v === 'number'))
  if (domain.kind === 'number' && domain.values !== undefined) {
    return domain.values.find((v) => inBounds(v, facts) && !excluded.has(v))
  }
  let lo = facts.lower?.value ?? -Infinity
  let hi = facts.upper?.value ?? Infinity
  let loStrict = facts.lower?.strict ?? false
  let hiStrict = facts.upper?.strict ?? false
  if (domain.kind === 'number' && domain.min !== undefined && domain.min >= lo) { lo = domain.min; loStrict = domain.min === facts.lower?.value ? loStrict : false }
  if (domain.kind === 'number' && domain.max !== undefined && domain.max <= hi) { hi = domain.max; hiStrict = domain.max === facts.upper?.value ? hiStrict : false }
  if (integer) {
    lo = Number.isFinite(lo) ? (loStrict ? Math.floor(lo) + 1 : Math.ceil(lo)) : lo
    hi = Number.isFinite(hi) ? (hiStrict ? Math.ceil(hi) - 1 : Math.floor(hi)) : hi
    if (lo > hi) return undefined
    const start = Number.isFinite(lo) ? lo : Number.isFinite(hi) ? hi - excluded.size : 0
    for (let i = 0; i <= excluded.size; i++) {
      const candidate = Number.isFinite(lo) ? start + i : start - i
      if (candidate >= lo && candidate <= hi && !excluded.has(candidate)) return candidate
    }
    return undefined
  }
  if (lo > hi || (lo === hi && (loStrict || hiStrict))) return undefined
  const base = Number.isFinite(lo) && Number.isFinite(hi) ? (lo + hi) / 2 : Number.isFinite(lo) ? lo + 1 : Number.isFinite(hi) ? hi - 1 : 0
  for (let i = 0; i <= excluded.size; i++) {
    const candidate = Number.isFinite(lo) && Number.isFinite(hi) ? base + (hi - base) * (i / (excluded.size + 1)) : base + i
    if (inBounds(candidate, facts) && !excluded.has(candidate)) return candidate
  }
  return undefined
}

function pickString (facts: PathFacts, domain: Domain, ctx: SolverContext): string | undefined {
  const excluded = new Set(facts.neq.filter((v): v is string => typeof v === 'string'))
  for (const name of facts.notMembers) for (const v of ctx.list(name) ?? []) excluded.add(v)
  const samples = domain.kind === 'string' ? domain.samples : ['x']
  for (let i = 0; i < samples.length + excluded.size + 1; i++) {
    const base = samples[i % samples.length] ?? 'x'
    const candidate = i < samples.length ? base : domain.kind === 'string' && /^[A-Z]+$/.test(base) ? base.slice(0, -1) + String.fromCharCode(65 + (i % 26)) : `${base}${i}`
    if (!excluded.has(candidate) && domainAllows(domain, candidate)) return candidate
  }
  return undefined
}

function checkPath (path: string, facts: PathFacts, ctx: SolverContext, model: Map<string, Constant>): Check {
  const domain = ctx.domain(path)
  const fail = (reason: string, span: Span = facts.last): Check => ({ ok: false, reason, span })
  const eq = facts.eq[0]
  for (const other of facts.eq.slice(1)) {
    if (other.value !== eq?.value) return fail(`${path} cannot be both ${show(eq?.value ?? '')} and ${show(other.value)}`, other.span)
  }
  let candidates: string[] | undefined
  for (const { list, span } of facts.members) {
    const values = ctx.list(list)
    if (values === undefined) return { ok: true, model }
    const usable = [...values].filter((v) => domainAllows(domain, v))
    if (values.size === 0) return fail(`lists.${list} is empty`, span)
    if (usable.length === 0) return fail(`no entry of lists.${list} can match: ${domainWhy(path, domain)}`, span)
    candidates = candidates === undefined ? usable : candidates.filter((v) => values.has(v))
    if (candidates.length === 0) return fail(`no value of ${path} is on every list it must be on`, span)
  }

  if (eq !== undefined) {
    const value = eq.value
    if (!domainAllows(domain, value)) return fail(`${path} is compared with ${show(value)}, but ${domainWhy(path, domain)}`, eq.span)
    if (typeof value === 'number' && !inBounds(value, facts)) return fail(`${path} cannot equal ${show(value)} and satisfy the other comparisons`)
    if (facts.neq.includes(value)) return fail(typeof value === 'boolean' ? `${path} cannot be both true and false` : `${path} cannot both equal and differ from ${show(value)}`)
    if (typeof value === 'string') {
      for (const { list, span } of facts.members) if (ctx.list(list)?.has(value) === false) return fail(`${show(value)} is not on lists.${list}`, span)
      for (const list of facts.notMembers) if (ctx.list(list)?.has(value) === true) return fail(`${show(value)} is on lists.${list}`)
    }
    model.set(path, value)
    return { ok: true, model }
  }

  if (candidates !== undefined) {
    const excluded = new Set(facts.neq)
    for (const name of facts.notMembers) for (const v of ctx.list(name) ?? []) excluded.add(v)
    const value = candidates.find((v) => !excluded.has(v))
    if (value === undefined) return fail(`every entry of the lists ${path} must be on is excluded by the other comparisons`)
    model.set(path, value)
    return { ok: true, model }
  }

  if (domain.kind === 'bool') {
    const value = [true, false].find((v) => !facts.neq.includes(v))
    if (value === undefined) return fail(`${path} can be neither true nor false`)
    model.set(path, value)
    return { ok: true, model }
  }
  const numeric = domain.kind === 'number' || facts.lower !== undefined || facts.upper !== undefined
  if (numeric) {
    const value = pickNumber(facts, domain.kind === 'number' ? domain : { kind: 'number', integer: false, why: 'a number' })
    if (value === undefined) {
      const bound = facts.upper ?? facts.lower
      const parts = [
        facts.lower === undefined ? undefined : `${facts.lower.strict ? '>' : '>='} ${facts.lower.value}`,
        facts.upper === undefined ? undefined : `${facts.upper.strict ? '<' : '<='} ${facts.upper.value}`,
        facts.neq.length === 0 ? undefined : `!= ${facts.neq.map(show).join(', ')}`
      ].filter((p) => p !== undefined)
      const unconstrained = pickNumber(facts, { kind: 'number', integer: domain.kind === 'number' && domain.integer, why: '' })
      const because = unconstrained !== undefined && domain.kind === 'number' ? `: ${domainWhy(path, domain)}` : ''
      return fail(`no value of ${path} is ${parts.join(' and ')}${because}`, bound?.span ?? facts.last)
    }
    model.set(path, value)
    return { ok: true, model }
  }
  const value = pickString(facts, domain, ctx)
  if (value !== undefined) model.set(path, value)
  return { ok: true, model }
}

/** Whether one conjunction of literals can be true, with a model of its paths when it can. */
export function checkConjunction (literals: Conjunction, ctx: SolverContext): Check {
  const { paths, opaque } = collect(literals)
  for (const [key, uses] of opaque) {
    const positive = uses.find((u) => u.positive)
    const negative = uses.find((u) => !u.positive)
    if (positive !== undefined && negative !== undefined) {
      return { ok: false, reason: `${key} cannot be both true and false`, span: (positive.span.start > negative.span.start ? positive : negative).span }
    }
  }
  const model = new Map<string, Constant>()
  for (const [path, facts] of paths) {
    const check = checkPath(path, facts, ctx, model)
    if (!check.ok) return check
  }
  return { ok: true, model }
}

/** Can the formula be true for some charge whose inputs are known? */
export function satisfiable (formula: Formula, ctx: SolverContext): SatResult {
  let terms: Conjunction[]
  const state: Expansion = { ctx }
  try {
    terms = dnf(formula, true, state)
  } catch (error) {
    if (error instanceof TooBig) return { status: 'unknown' }
    throw error
  }
  let firstFailure: { reason: string, span?: Span } | undefined = state.failure
  for (const term of terms) {
    const check = checkConjunction(term, ctx)
    if (check.ok) return { status: 'sat', model: check.model }
    firstFailure ??= check
  }
  if (firstFailure !== undefined) {
    return firstFailure.span === undefined
      ? { status: 'unsat', reason: firstFailure.reason }
      : { status: 'unsat', reason: firstFailure.reason, span: firstFailure.span }
  }
  return { status: 'unsat', reason: 'the condition is always false' }
}

/** Does `a` imply `b` (every charge where a is true makes b true)? undefined: cannot tell. */
export function implies (a: Formula, b: Formula, ctx: SolverContext): boolean | undefined {
  const result = satisfiable({ kind: 'and', parts: [a, { kind: 'not', part: b }] }, ctx)
  return result.status === 'unknown' ? undefined : result.status === 'unsat'
}
