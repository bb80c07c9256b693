import { RE2_MATCHES } from '../cel-environment.js'
import { createPatternSet, PatternError } from '../re2-pattern.js'
import type { PatternSet } from '../re2-pattern.js'
import type { MessageType, NameWhitelist } from './message-types.js'
import { celInt } from './runtime.js'
import { asChecked } from './types.js'
import type { CelType, CheckedNode } from './types.js'

/** A construct the compiler does not translate: the condition is interpreted, for this reason. */
export class Unsupported extends Error {
  constructor (reason: string) {
    super(reason)
    this.name = 'Unsupported'
  }
}

/**
 * What the conditions of one rule set share, so that a program of the whole set computes a thing
 * once however many conditions need it (see generate()).
 */
export interface SharedCode {
  /** memo variables of reads of the features: key (`ip.country`) -> name (`m0`...) */
  readonly memo: Map<string, string>
  /** the values the code refers to as `k[i]` (lists, regular expressions, sets of literals) */
  readonly constants: unknown[]
  readonly constantIndex: Map<unknown, number>
  /**
   * subexpressions that read no local variable: their code (as a condition is generated on its
   * own), how many times the set's conditions hold each, and which node of a condition is which
   */
  readonly uses: Map<string, number>
  readonly nodes: WeakMap<object, string>
  /** those held more than once, in the program: code -> slot `M[i]` of the evaluation */
  readonly slots: Map<string, number>
  /** the set's regular expressions (the interpreter's `matches` reads the same ones) */
  readonly patterns: PatternSet
}

export function createSharedCode (patterns: PatternSet = createPatternSet()): SharedCode {
  return { memo: new Map(), constants: [], constantIndex: new Map(), uses: new Map(), nodes: new WeakMap(), slots: new Map(), patterns }
}

/**
 * What the code is for: one condition on its own (a function of the Features), or the program of
 * the rule set, once all its conditions are generated (see SharedCode).
 */
export const Target = {
  CONDITION: 'condition',
  PROGRAM: 'program'
} as const
export type Target = typeof Target[keyof typeof Target]

/**
 * JavaScript for one condition: an expression over the roots of the Features `f` (`f.amount`, `f.ip`:
 * each root as the Features hold it, a group of fields as an object, empty when the Features hold
 * anything else), their values converted as the CEL context would hold them (null as absent,
 * integers as numbers when safe, see runtime.ts). It calls the runtime `$`, refers to the set's
 * constants as `k[i]` and (in a program) to the slots of an evaluation as `M[i]`, uses the temporary `t`, and
 * assigns locals (cel.bind): all to be declared around it.
 */
export interface Generated {
  expression: string
  locals: string[]
  /** the memo variables the expression uses (see generate()): declared with `let` around it */
  memos: string[]
  /** the root variables it reads from `f` (`amount`, `ip`...): whitelisted names */
  roots: string[]
  /**
   * those of them that are groups of fields (`ip`, `card`, `velocity`...): `f` holds the
   * features' object, or an empty one when the features hold anything else
   */
  groups: string[]
  /** the set's constants (`k`): shared by all its conditions, complete once all are generated */
  constants: readonly unknown[]
}

interface Local {
  js: string
  type: CelType
}

type Scope = ReadonlyMap<string, Local>

interface Expr {
  code: string
  type: CelType
}

/** the runtime's checks of a value of a primitive type (for filter() and map(), which take one) */
const PRIMITIVE_CHECK: Readonly<Record<string, string>> = {
  int: '$.int',
  double: '$.dbl',
  string: '$.str',
  bool: '$.bool'
}

/**
 * The same checks written inline, through the temporary `t`: a value of the type, or the
 * runtime's answer (an int it converts, or FALLBACK). Every function the code runs in declares `t`.
 */
const INLINE_CHECK: Readonly<Record<string, (code: string) => string>> = {
  int: (code) => `(typeof (t = ${code}) === "number" && (t | 0) === t ? t : $.int(t))`,
  double: (code) => `(typeof (t = ${code}) === "number" ? t : $.fail())`,
  string: (code) => `(typeof (t = ${code}) === "string" ? t : $.fail())`,
  bool: (code) => `(typeof (t = ${code}) === "boolean" ? t : $.fail())`
}

const HAS_CHECK: Readonly<Record<string, string>> = {
  int: '$.hasInt',
  double: '$.hasDbl',
  string: '$.hasStr',
  bool: '$.hasBool'
}

const SCALARS: ReadonlySet<string> = new Set(['int', 'double', 'string', 'bool'])
const COMPARABLE: ReadonlySet<string> = new Set(['bool bool', 'int int', 'double double', 'string string', 'int double', 'double int'])
const INT_OPS: Readonly<Record<string, string>> = { '+': '$.addInt', '-': '$.subInt', '*': '$.mulInt', '/': '$.divInt', '%': '$.modInt' }
const STRING_TESTS: Readonly<Record<string, string>> = { contains: 'includes', startsWith: 'startsWith', endsWith: 'endsWith' }
const STRING_MAPS: Readonly<Record<string, string>> = { lowerAscii: 'toLowerCase', upperAscii: 'toUpperCase', trim: 'trim' }
/**
 * The quantifier macros as loops over the elements (`a`, the array of the range, `i` its index;
 * `x`, an element after its check, `element`; `p`, the predicate), written inline: an arrow called where it is created, which
 * the optimizing compiler inlines, instead of a shared helper calling hundreds of predicates.
 */
const QUANTIFIERS: Readonly<Record<string, (a: string, i: string, x: string, element: string, p: string) => string>> = {
  exists: (a, i, x, element, p) => `let t; for (let ${i} = 0; ${i} < ${a}.length; ${i}++) { const ${x} = ${element}; if (${p}) return true } return false`,
  all: (a, i, x, element, p) => `let t; for (let ${i} = 0; ${i} < ${a}.length; ${i}++) { const ${x} = ${element}; if (!${p}) return false } return true`,
  exists_one: (a, i, x, element, p) => `let t, n = 0; for (let ${i} = 0; ${i} < ${a}.length; ${i}++) { const ${x} = ${element}; if (${p}) n++ } return n === 1`
}

/** identifiers the compiler emits for fields: the whitelist is the authority, this is a second lock */
const FIELD_NAME = /^[a-z][a-z0-9_]*$/

/** the operators whose value is worth computing once per evaluation when it reads no local variable */
const SHAREABLE: ReadonlySet<string> = new Set(['in', 'call', 'rcall'])
const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>='])

class Generator {
  private locals = 0
  /** `let` variables of cel.bind(), declared at the top of the function */
  readonly bound: string[] = []
  readonly memos = new Set<string>()
  readonly roots = new Set<string>()
  readonly groups = new Set<string>()

  private readonly names: NameWhitelist
  private readonly common: SharedCode
  private readonly target: Target
  /** per expression being generated, the local variables (macro, cel.bind) it reads */
  private readonly frames: Array<Set<string>> = [new Set()]
  /** the code of memo reads this generator wrote */
  private readonly wrapped = new Set<string>()

  constructor (names: NameWhitelist, common: SharedCode, target: Target) {
    this.names = names
    this.common = common
    this.target = target
  }

  /** a read of the features, converted once per function however many rules read it */
  private memoized (key: string, code: string): string {
    let name = this.common.memo.get(key)
    if (name === undefined) {
      name = `m${this.common.memo.size}`
      this.common.memo.set(key, name)
    }
    this.memos.add(name)
    const memo = `(${name} ??= ${code})`
    this.wrapped.add(memo)
    return memo
  }

  /**
   * A subexpression that reads no local variable has one value per evaluation. Generating a
   * condition notes its code and counts it; in the program, one the set holds more than once is
   * computed in the first condition that needs it and kept in a slot of the evaluation (`M`).
   * Equal code means equal value: every name in it means the same in every condition of the set
   * (memo variables, constants of the set, locals it binds itself). An error is not kept: each
   * condition meets it.
   */
  private shared (node: CheckedNode, code: string): string {
    if (this.target === Target.CONDITION) {
      this.common.nodes.set(node, code)
      this.common.uses.set(code, (this.common.uses.get(code) ?? 0) + 1)
      return code
    }
    const key = this.common.nodes.get(node)
    if (key === undefined || (this.common.uses.get(key) ?? 0) < 2) return code
    let at = this.common.slots.get(key)
    if (at === undefined) {
      at = this.common.slots.size
      this.common.slots.set(key, at)
    }
    return `(M[${at}] ??= ${code})`
  }

  /** runs `fn` noting the local variables it reads; those in `bound` are its own, not its parent's */
  private track<T> (fn: () => T, bound: readonly string[] = []): { value: T, used: ReadonlySet<string> } {
    const frame = new Set<string>()
    this.frames.push(frame)
    let value: T
    try {
      value = fn()
    } finally {
      this.frames.pop()
    }
    for (const name of bound) frame.delete(name)
    const parent = this.frames[this.frames.length - 1] as Set<string>
    for (const name of frame) parent.add(name)
    return { value, used: frame }
  }

  constant (value: unknown): string {
    let at = this.common.constantIndex.get(value)
    if (at === undefined) {
      at = this.common.constants.push(value) - 1
      this.common.constantIndex.set(value, at)
    }
    return `k[${at}]`
  }

  local (): string {
    return `v${this.locals++}`
  }

  typeOf (node: CheckedNode): CelType {
    const type = node.checkedType
    if (type === undefined) throw new Unsupported(`${node.op} without a checked type`)
    return staticType(type)
  }

  /** a call, a membership test, a comparison of strings: worth a slot (see slot()) when it reads no local */
  private shareable (node: CheckedNode): boolean {
    if (SHAREABLE.has(node.op)) return true
    if (!COMPARISONS.has(node.op)) return false
    const [left] = node.args as [unknown]
    return asChecked(left).checkedType?.name === 'string'
  }

  expr (node: CheckedNode, scope: Scope): Expr {
    if (!this.shareable(node)) return this.operator(node, scope)
    const { value, used } = this.track(() => this.operator(node, scope))
    // not worth a slot: a constant, a memo read
    const trivial = value.code === 'true' || value.code === 'false' || this.wrapped.has(value.code)
    return used.size === 0 && !trivial ? { code: this.shared(node, value.code), type: value.type } : value
  }

  private operator (node: CheckedNode, scope: Scope): Expr {
    switch (node.op) {
      case 'value': return this.literal(node)
      case 'id': return this.identifier(node, scope)
      case '.': return this.select(node, scope)
      case 'list': return this.list(node, scope)
      case '!_': {
        const operand = this.expr(asChecked(node.args), scope)
        if (operand.type.name !== 'bool') throw new Unsupported(`!${operand.type.name}`)
        return { code: `(!${operand.code})`, type: operand.type }
      }
      case '-_': {
        const operand = this.expr(asChecked(node.args), scope)
        // cel-js negates an int without an overflow check: so does the compiled code
        if (operand.type.name !== 'int' && operand.type.name !== 'double') throw new Unsupported(`-${operand.type.name}`)
        return { code: `(-${operand.code})`, type: operand.type }
      }
      case '&&':
      case '||': {
        const [left, right] = this.pair(node, scope)
        if (left.type.name !== 'bool' || right.type.name !== 'bool') throw new Unsupported(`${node.op} on non-bool operands`)
        return { code: `(${left.code} ${node.op} ${right.code})`, type: left.type }
      }
      case '?:': {
        const [condition, whenTrue, whenFalse] = (node.args as unknown[]).map((arg) => this.expr(asChecked(arg), scope)) as [Expr, Expr, Expr]
        if (condition.type.name !== 'bool') throw new Unsupported('ternary on a non-bool condition')
        return { code: `(${condition.code} ? ${whenTrue.code} : ${whenFalse.code})`, type: this.typeOf(node) }
      }
      case '==':
      case '!=': {
        const [left, right] = this.pair(node, scope)
        if (left.type.name !== right.type.name || (!SCALARS.has(left.type.name) && left.type.name !== 'null')) {
          throw new Unsupported(`${left.type.name} ${node.op} ${right.type.name}`)
        }
        return { code: `(${left.code} ${node.op === '==' ? '===' : '!=='} ${right.code})`, type: this.typeOf(node) }
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const [left, right] = this.pair(node, scope)
        if (!COMPARABLE.has(`${left.type.name} ${right.type.name}`)) throw new Unsupported(`${left.type.name} ${node.op} ${right.type.name}`)
        return { code: `(${left.code} ${node.op} ${right.code})`, type: this.typeOf(node) }
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': return this.arithmetic(node, scope)
      case 'in': return this.membership(node, scope)
      case 'call': return this.call(node, scope)
      case 'rcall': return this.receiverCall(node, scope)
      default:
        throw new Unsupported(`the ${node.op} operator`)
    }
  }

  private pair (node: CheckedNode, scope: Scope): [Expr, Expr] {
    const [left, right] = node.args as [unknown, unknown]
    return [this.expr(asChecked(left), scope), this.expr(asChecked(right), scope)]
  }

  private literal (node: CheckedNode): Expr {
    const value = node.args
    const type = this.typeOf(node)
    switch (typeof value) {
      case 'string': return { code: JSON.stringify(value), type }
      case 'boolean': return { code: value ? 'true' : 'false', type }
      // an int in the canonical form of the runtime (a number when safe, see CelInt)
      case 'bigint': {
        const int = celInt(value)
        return { code: typeof int === 'number' ? `(${int.toString()})` : `(${int.toString()}n)`, type }
      }
      case 'number':
        if (Number.isFinite(value) && !Object.is(value, -0)) return { code: `(${value.toString()})`, type }
        return { code: this.constant(value), type }
      default:
        if (value === null) return { code: 'null', type }
        throw new Unsupported(`a ${type.name} literal`)
    }
  }

  private identifier (node: CheckedNode, scope: Scope): Expr {
    const name = node.args as string
    const local = scope.get(name)
    if (local !== undefined) {
      (this.frames[this.frames.length - 1] as Set<string>).add(local.js)
      return { code: local.js, type: local.type }
    }
    if (node.meta?.alternate !== undefined) throw new Unsupported(`the constant ${name}`)
    const type = this.typeOf(node)
    if (!FIELD_NAME.test(name)) throw new Unsupported(`the variable ${name}`)
    const scalar = this.names.scalars.get(name)
    const check = scalar === undefined ? undefined : INLINE_CHECK[scalar]
    if (check !== undefined && scalar === type.name) {
      this.roots.add(name)
      return { code: this.memoized(name, check(`f.${name}`)), type }
    }
    const group = this.names.groups.get(name)
    // a group of fields (ip, card, velocity...): `f` holds the features' object, or an empty one
    if (group !== undefined && type.kind === 'message' && type.name === group) {
      this.roots.add(name)
      this.groups.add(name)
      return { code: `f.${name}`, type }
    }
    if (name === 'items' && type.name === 'list<Item>') {
      this.roots.add(name)
      return { code: '$.items(f.items)', type }
    }
    throw new Unsupported(`the variable ${name} as a value`)
  }

  private message (type: CelType): MessageType {
    const message = type.kind === 'message' ? this.names.messages.get(type.name) : undefined
    if (message === undefined) throw new Unsupported(`the type ${type.name}`)
    return message
  }

  private field (message: MessageType, field: string): string {
    const type = message.fields.get(field)
    if (type === undefined || !FIELD_NAME.test(field)) throw new Unsupported(`the field ${field}`)
    return type
  }

  /** `lists.<name>` where `lists` is the rule set's (not a macro variable): its value, a constant */
  private declaredList (objectNode: CheckedNode, field: string, scope: Scope): ReadonlyMap<string, true> | undefined {
    if (objectNode.op !== 'id' || objectNode.args !== 'lists' || scope.has('lists')) return undefined
    const list = this.names.lists.get(field)
    if (list === undefined) throw new Unsupported(`the list ${field}`)
    return list
  }

  private select (node: CheckedNode, scope: Scope): Expr {
    const [objectNode, field] = node.args as [unknown, string]
    const type = this.typeOf(node)
    const list = this.declaredList(asChecked(objectNode), field, scope)
    if (list !== undefined) return { code: this.constant(list), type }
    const objectChecked = asChecked(objectNode)
    const object = this.expr(objectChecked, scope)
    const declared = this.field(this.message(object.type), field)
    if (type.name !== declared) throw new Unsupported(`the field ${field} checked as ${type.name}`)
    const read = (INLINE_CHECK[declared] as (code: string) => string)(`${object.code}.${field}`)
    // a field of a root group (ip.country), not of a macro's variable: the same for every rule
    const rooted = objectChecked.op === 'id' && !scope.has(objectChecked.args as string)
    return { code: rooted ? this.memoized(`${objectChecked.args as string}.${field}`, read) : read, type }
  }

  private list (node: CheckedNode, scope: Scope): Expr {
    const type = this.typeOf(node)
    const elements = (node.args as unknown[]).map(asChecked)
    if (elements.length > 0 && elements.every((e) => e.op === 'value' && SCALARS.has(this.typeOf(e).name))) {
      return { code: this.constant(Object.freeze(elements.map((e) => constantValue(e.args)))), type }
    }
    return { code: `[${elements.map((e) => this.expr(e, scope).code).join(', ')}]`, type }
  }

  private arithmetic (node: CheckedNode, scope: Scope): Expr {
    const [left, right] = this.pair(node, scope)
    const type = this.typeOf(node)
    const both = `${left.type.name} ${right.type.name}`
    if (both === 'int int') return { code: `${INT_OPS[node.op] as string}(${left.code}, ${right.code})`, type }
    if (both === 'double double' && node.op !== '%') return { code: `(${left.code} ${node.op} ${right.code})`, type }
    if (both === 'string string' && node.op === '+') return { code: `(${left.code} + ${right.code})`, type }
    throw new Unsupported(`${left.type.name} ${node.op} ${right.type.name}`)
  }

  private membership (node: CheckedNode, scope: Scope): Expr {
    const [needleNode, haystackNode] = (node.args as unknown[]).map(asChecked) as [CheckedNode, CheckedNode]
    const needle = this.expr(needleNode, scope)
    const type = this.typeOf(node)
    const haystackType = this.typeOf(haystackNode)
    if (haystackType.kind === 'list' && haystackType.valueType?.name === needle.type.name && SCALARS.has(needle.type.name)) {
      const elements = (haystackNode.op === 'list' ? haystackNode.args as unknown[] : []).map(asChecked)
      if (elements.length > 0 && elements.every((e) => e.op === 'value')) {
        // literals only: a Set built once (SameValueZero equals === here: no literal is NaN)
        return { code: `$.inSet(${needle.code}, ${this.constant(new Set(elements.map((e) => constantValue(e.args))))})`, type }
      }
      return { code: `$.inList(${needle.code}, ${this.expr(haystackNode, scope).code})`, type }
    }
    if (haystackType.kind === 'map' && haystackType.keyType?.name === needle.type.name && SCALARS.has(needle.type.name)) {
      return { code: `$.inMap(${needle.code}, ${this.expr(haystackNode, scope).code})`, type }
    }
    throw new Unsupported(`${needle.type.name} in ${haystackType.name}`)
  }

  private call (node: CheckedNode, scope: Scope): Expr {
    const [name, argNodes] = node.args as [string, unknown[]]
    const args = argNodes.map(asChecked)
    if (name === 'has' && node.meta?.macro !== undefined && args.length === 1) return this.has(args[0] as CheckedNode, scope)
    if (args.length !== 1) throw new Unsupported(`${name}() with ${args.length} arguments`)
    const arg = this.expr(args[0] as CheckedNode, scope)
    const type = this.typeOf(node)
    const from = arg.type.name
    switch (`${name}(${from})`) {
      case 'size(string)': return { code: `$.sizeOfString(${arg.code})`, type }
      case 'int(int)':
      case 'double(double)':
      case 'string(string)': return arg
      case 'int(double)': return { code: `$.doubleToInt(${arg.code})`, type }
      case 'double(int)': return { code: `$.intToDouble(${arg.code})`, type }
      case 'string(int)':
      case 'string(bool)': return { code: `$.toText(${arg.code})`, type }
      case 'string(double)': return { code: `$.doubleToText(${arg.code})`, type }
    }
    if (name === 'size' && arg.type.kind === 'list') return { code: `$.sizeOfList(${arg.code})`, type }
    if (name === 'size' && arg.type.kind === 'map') return { code: `$.sizeOfMap(${arg.code})`, type }
    throw new Unsupported(`${name}(${from})`)
  }

  /** has(x.f): x a variable (or a macro's variable) of a message type, f one of its fields */
  private has (select: CheckedNode, scope: Scope): Expr {
    const bool: CelType = { kind: 'primitive', name: 'bool', hasDynType: false, hasPlaceholderType: false }
    if (select.op !== '.') throw new Unsupported('has() of anything but a field')
    const [objectNode, field] = select.args as [unknown, string]
    const object = asChecked(objectNode)
    if (object.op !== 'id') throw new Unsupported('has() on a nested field')
    // a declared list is always there
    if (this.declaredList(object, field, scope) !== undefined) return { code: 'true', type: bool }
    const target = this.expr(object, scope)
    const check = HAS_CHECK[this.field(this.message(target.type), field)]
    if (check === undefined) throw new Unsupported(`has() of the field ${field}`)
    return { code: `${check}(${target.code}.${field})`, type: bool }
  }

  private receiverCall (node: CheckedNode, scope: Scope): Expr {
    const [name, receiverNode, argNodes] = node.args as [string, unknown, unknown[]]
    const receiverChecked = asChecked(receiverNode)
    const args = argNodes.map(asChecked)
    if (node.meta?.alternate?.op === 'comprehension') return this.comprehension(node, name, receiverChecked, args, scope)
    if (name === 'bind' && node.meta?.macro !== undefined) return this.bind(node, receiverChecked, args, scope)
    if (node.meta?.macro !== undefined || node.meta?.alternate !== undefined) throw new Unsupported(`the macro ${name}()`)

    const receiver = this.expr(receiverChecked, scope)
    const type = this.typeOf(node)
    const argExprs = args.map((arg) => this.expr(arg, scope))
    const argTypes = argExprs.map((arg) => arg.type.name).join(', ')
    const signature = `${receiver.type.kind === 'primitive' ? receiver.type.name : receiver.type.kind}.${name}(${argTypes})`
    const [first] = argExprs
    if (receiver.type.name === 'string') {
      const test = STRING_TESTS[name]
      if (test !== undefined && argTypes === 'string') return { code: `${receiver.code}.${test}(${(first as Expr).code})`, type }
      const mapped = STRING_MAPS[name]
      if (mapped !== undefined && args.length === 0) return { code: `${receiver.code}.${mapped}()`, type }
      if (name === 'size' && args.length === 0) return { code: `$.sizeOfString(${receiver.code})`, type }
      if (name === 'containsAny' && argTypes === 'list<string>') return { code: `$.containsAny(${receiver.code}, ${(first as Expr).code})`, type }
      if (name === RE2_MATCHES && argTypes === 'string') return { code: this.matches(receiver, args[0] as CheckedNode), type }
    }
    if (name === 'size' && args.length === 0 && receiver.type.kind === 'list') return { code: `$.sizeOfList(${receiver.code})`, type }
    if (name === 'size' && args.length === 0 && receiver.type.kind === 'map') return { code: `$.sizeOfMap(${receiver.code})`, type }
    throw new Unsupported(signature)
  }

  /**
   * matches() with a literal pattern: the rule set's compiled RE2 pattern, the very one the
   * interpreter's `matches` uses (src/engine/cel-environment.ts), a constant of the set
   */
  private matches (receiver: Expr, patternNode: CheckedNode): string {
    if (patternNode.op !== 'value' || typeof patternNode.args !== 'string') throw new Unsupported('matches() with a pattern that is not a literal')
    let pattern: ReturnType<PatternSet['add']>
    try {
      pattern = this.common.patterns.add(patternNode.args)
    } catch (error) {
      if (error instanceof PatternError) throw new Unsupported('matches() with an invalid pattern')
      throw error
    }
    return `${this.constant(pattern)}.test(${receiver.code})`
  }

  private bind (node: CheckedNode, receiver: CheckedNode, args: CheckedNode[], scope: Scope): Expr {
    const [variable, value, body] = args
    if (receiver.op !== 'id' || receiver.args !== 'cel' || variable?.op !== 'id' || value === undefined || body === undefined) {
      throw new Unsupported('cel.bind() of this shape')
    }
    const bound = this.expr(value, scope)
    const js = this.local()
    this.bound.push(js)
    const inner = new Map(scope).set(variable.args as string, { js, type: bound.type })
    const result = this.track(() => this.expr(body, inner), [js]).value
    return { code: `(${js} = ${bound.code}, ${result.code})`, type: this.typeOf(node) }
  }

  private comprehension (node: CheckedNode, name: string, receiverNode: CheckedNode, args: CheckedNode[], scope: Scope): Expr {
    const iterable = this.expr(receiverNode, scope)
    const element = iterable.type.kind === 'list' ? iterable.type.valueType : iterable.type.kind === 'map' ? iterable.type.keyType : undefined
    if (element === undefined) throw new Unsupported(`${name}() over ${iterable.type.name}`)
    const elementType = staticType(element)
    const variable = args[0]
    if (variable?.op !== 'id') throw new Unsupported(`${name}() without a variable`)
    const js = this.local()
    const inner = new Map(scope).set(variable.args as string, { js, type: elementType })
    // an element of a message type (an item) is read like a group: the object, or an empty one
    const check = PRIMITIVE_CHECK[elementType.name] ?? (this.message(elementType) !== undefined ? '$.rec' : '')
    const lambda = (arg: CheckedNode | undefined): string => {
      if (arg === undefined) throw new Unsupported(`${name}() arguments`)
      return `(${js}) => { let t; return ${this.track(() => this.expr(arg, inner), [js]).value.code} }`
    }
    const type = this.typeOf(node)
    const quantifier = QUANTIFIERS[name]
    if (quantifier !== undefined && args.length === 2) {
      if (this.typeOf(args[1] as CheckedNode).name !== 'bool') throw new Unsupported(`${name}() with a non-bool predicate`)
      const predicate = this.track(() => this.expr(args[1] as CheckedNode, inner), [js]).value.code
      const array = this.local()
      const index = this.local()
      const element = INLINE_CHECK[elementType.name]?.(`${array}[${index}]`) ?? `${check}(${array}[${index}])`
      return { code: `((${array}) => { ${quantifier(array, index, js, element, predicate)} })($.range(${iterable.code}))`, type }
    }
    if (name === 'filter' && args.length === 2) {
      if (this.typeOf(args[1] as CheckedNode).name !== 'bool') throw new Unsupported('filter() with a non-bool predicate')
      return { code: `$.filter(${iterable.code}, ${check}, ${lambda(args[1])})`, type }
    }
    if (name === 'map' && args.length === 2) return { code: `$.mapList(${iterable.code}, ${check}, ${lambda(args[1])})`, type }
    if (name === 'map' && args.length === 3) {
      if (this.typeOf(args[1] as CheckedNode).name !== 'bool') throw new Unsupported('map() with a non-bool filter')
      return { code: `$.mapList(${iterable.code}, ${check}, ${lambda(args[2])}, ${lambda(args[1])})`, type }
    }
    throw new Unsupported(`the macro ${name}()`)
  }
}

/** a literal as compiled code holds it: ints in the runtime's canonical form */
function constantValue (value: unknown): unknown {
  return typeof value === 'bigint' ? celInt(value) : value
}

/** types the compiled code can rely on: no dyn, no type parameters, no optionals */
function staticType (type: CelType): CelType {
  if (type.hasDynType || type.hasPlaceholderType) throw new Unsupported(`a value of type ${type.name}`)
  if (type.kind === 'optional' || type.name === 'uint' || type.name === 'bytes') throw new Unsupported(`a value of type ${type.name}`)
  return type
}

/**
 * Translates a type-checked CEL condition into JavaScript source, or throws Unsupported with the
 * construct it does not translate. What the conditions of a rule set have in common is shared
 * through `common`: reads of the features that every rule would make alike (a scalar root, a
 * field of a group) are memoized in variables it names, its constants are the set's, and the
 * subexpressions of no local variable the set holds more than once get slots of the evaluation in
 * the program (generated after every condition, for the PROGRAM target). Only whitelisted names
 * (catalog roots and fields, runtime helpers, fixed method names, generated locals) and escaped
 * literals ever reach the source.
 */
export function generate (ast: unknown, names: NameWhitelist, common: SharedCode = createSharedCode(), target: Target = Target.CONDITION): Generated {
  const generator = new Generator(names, common, target)
  const root = asChecked(ast)
  const result = generator.expr(root, new Map())
  if (result.type.name !== 'bool') throw new Unsupported(`a condition of type ${result.type.name}`)
  return { expression: result.code, locals: generator.bound, memos: [...generator.memos], roots: [...generator.roots], groups: [...generator.groups], constants: common.constants }
}
