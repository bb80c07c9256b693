import t from 'tap'
import fc from 'fast-check'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { generatedRuleSet } from '../../bench/rule-sets.js'
import { buildCelContext } from '../../src/engine/cel-context.js'
import { compileRuleSet } from '../../src/engine/compile.js'
import { evaluate } from '../../src/engine/evaluate.js'
import type { Features } from '../../src/engine/features.js'
import type { CompiledRule, CompiledRuleSet } from '../../src/engine/ruleset.js'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { rootDir } from '../helpers/app.js'

/**
 * Differential tests: the compiled rules (src/engine/compiled/) and the cel-js interpreter agree
 * on every generated input, rule by rule and on the whole evaluation (fired rules, skipped rules
 * with their unknown inputs and errors, decision, score, shadow).
 */

/** the same rule set with every condition left to the interpreter */
function interpreted (ruleSet: CompiledRuleSet): CompiledRuleSet {
  return { ...ruleSet, rules: ruleSet.rules.map(({ compiled: _compiled, ...rule }): CompiledRule => rule) }
}

/** the same rule set evaluated rule by rule (each rule's compiled function), not by its program */
function ruleByRule (ruleSet: CompiledRuleSet): CompiledRuleSet {
  return { ...ruleSet, rules: [...ruleSet.rules] }
}

/** the program, the per-rule functions and the interpreter give one evaluation */
function sameEvaluations (ruleSet: CompiledRuleSet, reference: CompiledRuleSet, f: Features): boolean {
  const expected = evaluate(reference, f)
  return isDeepStrictEqual(evaluate(ruleSet, f), expected) && isDeepStrictEqual(evaluate(ruleByRule(ruleSet), f), expected)
}

type Outcome = { value: unknown } | { error: true }

function outcome (fn: () => unknown): Outcome {
  try {
    return { value: fn() }
  } catch {
    return { error: true }
  }
}

interface Tally { compiledValues: number, compiledThrew: number }

/** as evaluate() decides: a rule reading an absent input is skipped before its condition runs */
function inputsKnown (rule: CompiledRule, features: unknown): boolean {
  return rule.requires.every((read) => {
    let node = features
    for (const segment of read.segments) {
      if (node === null || typeof node !== 'object') return false
      node = (node as Record<string, unknown>)[segment]
    }
    return node !== undefined && node !== null
  })
}

/**
 * Rule by rule: whenever the compiled condition returns, the interpreter returns the same value
 * (compiled code throws only where it hands the case to the interpreter).
 */
function agreeOnConditions (ruleSet: CompiledRuleSet, features: Features, tally: Tally): string | undefined {
  const context = buildCelContext(ruleSet.context, features)
  for (const rule of ruleSet.rules) {
    if (rule.compiled === undefined || !inputsKnown(rule, features)) continue
    const compiled = outcome(() => (rule.compiled as NonNullable<CompiledRule['compiled']>)(features))
    if ('error' in compiled) {
      tally.compiledThrew++
      continue
    }
    tally.compiledValues++
    const expected = outcome(() => rule.condition(context))
    if (!('value' in expected) || !isDeepStrictEqual(compiled.value, expected.value)) {
      return `${rule.id} (${rule.when}): compiled ${String(compiled.value)}, interpreter ${'value' in expected ? String(expected.value) : 'error'}`
    }
  }
  return undefined
}

const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined })
const text = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('gift card', 'GIFT', ' a ', 'x"y', 'a\\b', '\u00e9t\u00e9', '\ud83d\ude00', '', 'TH', 'US',
  // for the patterns of matches(): inputs a backtracking engine chokes on, code points, RE2 classes
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'a.*b', 'x.*', 'gift\rcard', 'a\u000bb', 'the card', 'Gift'))
const country = fc.constantFrom('TH', 'US', 'SG', 'th')
// integers around the edges of the compiled code's number path (2^53) and of CEL's int (2^63): the
// compiled code holds a safe integer as a number, anything larger as a BigInt
const int = fc.oneof(
  fc.integer({ min: -5, max: 20 }),
  fc.integer({ min: 0, max: 10_000_000 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 2 ** 62, 2 ** 63, -(2 ** 63), -0, 94_906_266, 3_037_000_500)
)

const features: fc.Arbitrary<Features> = fc.record({
  amount: int,
  currency: fc.constantFrom('THB', 'USD'),
  description: opt(text),
  item_count: int,
  items: fc.array(fc.record({
    sku: opt(text),
    name: opt(text),
    category: opt(fc.constantFrom('gift', 'shoes', 'GIFT')),
    quantity: opt(int),
    unit_price: opt(int)
  }, { requiredKeys: [] }), { maxLength: 4 }),
  metadata: fc.dictionary(fc.constantFrom('vip', 'channel'), fc.oneof(fc.boolean(), text, fc.integer())),
  ip: fc.record({
    address: fc.constantFrom('203.0.113.9', '2001:db8::1'),
    version: fc.constantFrom(4 as const, 6 as const),
    is_private: fc.boolean(),
    country: opt(country),
    asn: opt(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 400_000 }))),
    as_org: opt(text),
    is_tor: opt(fc.boolean()),
    is_hosting: opt(fc.boolean()),
    is_vpn: opt(fc.boolean()),
    is_proxy: opt(fc.boolean()),
    is_residential_proxy: opt(fc.boolean()),
    is_anonymous: opt(fc.boolean()),
    risk: opt(fc.oneof(fc.double({ min: 0, max: 99, noNaN: true }), fc.constantFrom(0, -0, 50)))
  }, { requiredKeys: ['address', 'version', 'is_private'] }),
  email: opt(fc.record({ address: fc.constantFrom('a@d1.example', 'bad@example.com', 'x@y'), domain: fc.constantFrom('d1.example', 'example.com', 'y'), is_disposable: opt(fc.boolean()) }, { requiredKeys: ['address', 'domain'] })),
  card: opt(fc.record({ bin: opt(fc.constantFrom('424242', '555555')), last4: opt(fc.constant('4242')), country: opt(country), fingerprint: opt(text), brand: opt(text), funding: opt(text) }, { requiredKeys: [] })),
  billing: opt(fc.record({ country: opt(country), postal_code: opt(fc.constantFrom('10110', '10120', '')), city: opt(text) }, { requiredKeys: [] })),
  shipping: opt(fc.record({ country: opt(country), postal_code: opt(fc.constantFrom('10110', '10120', '')), city: opt(text) }, { requiredKeys: [] })),
  velocity: opt(fc.dictionary(fc.constantFrom('v', 'w', 'charges_per_ip_1h', 'cards_per_bin_ip_1h', 'amount_per_card_24h', 'c1', 'c3'), int)),
  customer: fc.record({ id: opt(fc.constantFrom('c1', 'cus_1_5', 'trusted', 'x')) }, { requiredKeys: [] })
}, { requiredKeys: ['amount', 'currency', 'item_count', 'items', 'metadata', 'ip', 'customer'] }) as fc.Arbitrary<Features>

/** anything at all where features should be: wrong types, nulls, nested junk */
const junk = fc.oneof(
  fc.anything(),
  fc.dictionary(
    fc.constantFrom('amount', 'currency', 'description', 'item_count', 'items', 'metadata', 'ip', 'email', 'card', 'billing', 'shipping', 'velocity', 'customer'),
    fc.oneof(fc.anything(), fc.array(fc.anything(), { maxLength: 3 }), fc.dictionary(fc.constantFrom('is_tor', 'country', 'asn', 'v', 'id', 'bin', 'postal_code', 'risk', 'quantity', 'category'), fc.anything()))
  )
) as fc.Arbitrary<unknown> as fc.Arbitrary<Features>

// --- a generator of well-typed CEL conditions over the whole environment -----------------------

const celString = (s: string): string => JSON.stringify(s)
const intLiteral = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.integer({ min: -1_000_000, max: 10_000_000 }),
  fc.constantFrom(9223372036854775807n, -9223372036854775807n, 4611686018427387904n, 3037000500n, 94906266n),
  fc.constantFrom(9007199254740991n, -9007199254740991n, 9007199254740992n, 9007199254740993n, -9007199254740993n)
).map(String)
const doubleLiteral = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(0, 0.5, 50, 1e300)).map((d) => {
  const s = Number.isInteger(d) ? d.toFixed(1) : String(d)
  return s.startsWith('-') ? `(${s})` : s
})
const stringLiteral = text.map(celString)
// RE2 patterns (matches() refuses anything else at compile), among them patterns a backtracking
// engine takes exponential time on, and RE2-only syntax: inline flags, Unicode classes, \x{...},
// \z, POSIX classes, \Q...\E; `.` and classes match a code point (an emoji is one)
const pattern = fc.constantFrom('^[a-z]+$', 'gift ?card', '.*', '^$', '[0-9]{3}', '\\d', 'T(H|W)', '(a+)+$', '(x+x+)+y',
  '(.*a){3}', '(?i)gift|th', '^\\pL+$', '\\x{e9}', 'a\\z', '^[[:upper:]]+$', '\\Q.*\\E', '^.$', '[^a-z]', '\\bcard\\b', '\\s')

interface Gen { bool: fc.Arbitrary<string>, int: fc.Arbitrary<string>, double: fc.Arbitrary<string>, str: fc.Arbitrary<string> }

/** item predicates read the macro's variable `x` (an Item) */
const itemInt = fc.constantFrom('x.quantity', 'x.unit_price')
const itemStr = fc.constantFrom('x.category', 'x.name', 'x.sku')

const gen: Gen = fc.letrec<Record<keyof Gen, string>>((tie) => ({
  int: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('amount', 'item_count', 'ip.asn', 'ip.version', 'velocity.v', 'velocity.w'),
    intLiteral,
    fc.tuple(tie('int'), fc.constantFrom('+', '-', '*', '/', '%'), tie('int')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('str').map((s) => `size(${s})`),
    tie('str').map((s) => `${s}.size()`),
    fc.constant('size(items)'),
    tie('double').map((d) => `int(${d})`),
    tie('int').map((i) => `-${i}`),
    fc.tuple(tie('bool'), tie('int'), tie('int')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    tie('int').map((i) => `cel.bind(n, ${i}, n * 2 + n)`)
  ),
  double: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constant('ip.risk'),
    doubleLiteral,
    fc.tuple(tie('double'), fc.constantFrom('+', '-', '*', '/'), tie('double')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('int').map((i) => `double(${i})`)
  ),
  str: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('ip.country', 'ip.as_org', 'card.country', 'card.bin', 'card.fingerprint', 'email.domain', 'email.address',
      'description', 'currency', 'customer.id', 'billing.postal_code', 'shipping.postal_code', 'billing.country'),
    stringLiteral,
    fc.tuple(tie('str'), tie('str')).map(([a, b]) => `(${a} + ${b})`),
    fc.tuple(tie('str'), fc.constantFrom('lowerAscii', 'upperAscii', 'trim')).map(([s, m]) => `${s}.${m}()`),
    tie('int').map((i) => `string(${i})`),
    tie('double').map((d) => `string(${d})`)
  ),
  bool: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('ip.is_tor', 'ip.is_hosting', 'ip.is_private', 'email.is_disposable', 'true', 'false',
      'has(card.country)', 'has(ip.risk)', 'has(billing.postal_code)', 'has(velocity.v)', 'has(lists.l)'),
    fc.tuple(tie('int'), fc.constantFrom('<', '<=', '>', '>=', '==', '!='), tie('int')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('double'), fc.constantFrom('<', '>=', '==', '!='), tie('double')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('int'), fc.constantFrom('<', '>='), tie('double')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('str'), fc.constantFrom('==', '!=', '<', '>='), tie('str')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('bool'), fc.constantFrom('&&', '||', '==', '!='), tie('bool')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('bool').map((b) => `!(${b})`),
    fc.tuple(tie('bool'), tie('bool'), tie('bool')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    fc.tuple(tie('str'), fc.constantFrom('contains', 'startsWith', 'endsWith'), tie('str')).map(([s, m, a]) => `${s}.${m}(${a})`),
    fc.tuple(tie('str'), pattern).map(([s, p]) => `${s}.matches(${celString(p)})`),
    fc.tuple(tie('str'), fc.array(stringLiteral, { minLength: 1, maxLength: 3 })).map(([s, l]) => `${s}.containsAny([${l.join(', ')}])`),
    tie('str').map((s) => `${s} in lists.l`),
    fc.tuple(tie('str'), fc.array(stringLiteral, { minLength: 1, maxLength: 3 })).map(([s, l]) => `${s} in [${l.join(', ')}]`),
    fc.tuple(tie('int'), fc.array(intLiteral, { minLength: 1, maxLength: 3 })).map(([i, l]) => `${i} in [${l.join(', ')}]`),
    fc.tuple(tie('str'), tie('str')).map(([s, a]) => `${s} in [${a}, "TH"]`),
    fc.tuple(fc.constantFrom('exists', 'all', 'exists_one'), itemInt, fc.constantFrom('>', '<=', '=='), tie('int')).map(([m, f, op, i]) => `items.${m}(x, ${f} ${op} ${i})`),
    fc.tuple(fc.constantFrom('exists', 'all'), itemStr, tie('str')).map(([m, f, s]) => `items.${m}(x, has(${f}) && ${f} == ${s})`),
    fc.tuple(itemInt, tie('int')).map(([f, i]) => `size(items.filter(x, ${f} > ${i})) > 0`),
    fc.tuple(itemInt, tie('int')).map(([f, i]) => `items.map(x, ${f}).exists(q, q > ${i})`),
    fc.tuple(itemStr, itemInt).map(([s, f]) => `items.map(x, has(x.quantity), ${s}).exists(s, s == "gift") || items.exists(x, ${f} >= 2)`),
    tie('str').map((s) => `lists.l.exists(e, ${s}.startsWith(e))`),
    tie('str').map((s) => `cel.bind(y, ${s}, y == "TH" || y.contains("a"))`),
    fc.tuple(tie('int'), tie('bool')).map(([i, b]) => `[1, 2, 3].exists(z, z * ${i} > 10) && ${b}`)
  )
})) as unknown as Gen

const ruleArb = fc.record({
  when: gen.bool,
  score: fc.integer({ min: -100, max: 100 }).filter((s) => s !== 0),
  action: fc.constantFrom(undefined, 'allow', 'review', 'block'),
  shadow: fc.boolean()
})

function ruleSetOf (rules: Array<{ when: string, score: number, action: string | undefined, shadow: boolean }>): CompiledRuleSet | undefined {
  const text = [
    'version: "differential"',
    'thresholds: { review: 40, block: 70 }',
    'velocity:',
    '  v: { count: charges, by: ip, window: 1h }',
    '  w: { sum: amount, by: email, window: 24h }',
    'lists:',
    '  l: lists/l.txt',
    'rules:',
    ...rules.map((rule, i) => [
      `  - id: r${i}`,
      `    when: ${JSON.stringify(rule.when)}`,
      `    score: ${rule.score}`,
      rule.action === undefined ? '' : `    action: ${rule.action}`,
      rule.shadow ? '    mode: shadow' : ''
    ].filter(Boolean).join('\n'))
  ].join('\n')
  const result = compileRuleSet({ file: 'differential.yaml', text, lists: { l: { file: 'l.txt', values: ['TH', 'gift', 'a@d1.example', 'c1', ''] } } })
  return result.ok ? result.ruleSet : undefined
}

t.test('generated conditions: the compiler translates nearly all of them', async (t) => {
  let compiled = 0
  let interpreted = 0
  let refused = 0
  const reasons = new Map<string, number>()
  fc.assert(fc.property(gen.bool, (when) => {
    const ruleSet = ruleSetOf([{ when, score: 10, action: undefined, shadow: false }])
    if (ruleSet === undefined) {
      refused++
      return
    }
    const rule = ruleSet.rules[0] as CompiledRule
    if (rule.compiled !== undefined) compiled++
    else {
      interpreted++
      reasons.set(rule.interpretedBecause ?? '?', (reasons.get(rule.interpretedBecause ?? '?') ?? 0) + 1)
    }
  }), { numRuns: 1_000 })
  t.equal(refused, 0, 'the generator writes valid rules')
  t.ok(compiled / (compiled + interpreted) > 0.97, `compiled ${compiled}, interpreted ${interpreted}: ${JSON.stringify([...reasons])}`)
  // nothing stays interpreted here (matches() included: its patterns are literals RE2 accepts)
  t.same([...reasons.keys()], [])
})

t.test('generated rule sets: compiled and interpreted conditions agree on typed features', async (t) => {
  const tally: Tally = { compiledValues: 0, compiledThrew: 0 }
  fc.assert(fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 6 }), fc.array(features, { minLength: 1, maxLength: 8 }), (rules, charges) => {
    const ruleSet = ruleSetOf(rules)
    if (ruleSet === undefined) return true
    const reference = interpreted(ruleSet)
    for (const f of charges) {
      const mismatch = agreeOnConditions(ruleSet, f, tally)
      if (mismatch !== undefined) throw new Error(mismatch)
      if (!sameEvaluations(ruleSet, reference, f)) return false
    }
    return true
  }), { numRuns: 400 })
  // not vacuous: the compiled code answers most cases itself
  t.ok(tally.compiledValues > 5 * tally.compiledThrew, `compiled answered ${tally.compiledValues}, handed ${tally.compiledThrew} to the interpreter`)
})

t.test('generated rule sets: compiled and interpreted agree on junk features', async (t) => {
  fc.assert(fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 4 }), fc.array(junk, { minLength: 1, maxLength: 4 }), (rules, charges) => {
    const ruleSet = ruleSetOf(rules)
    if (ruleSet === undefined) return true
    const reference = interpreted(ruleSet)
    const tally: Tally = { compiledValues: 0, compiledThrew: 0 }
    for (const f of charges) {
      const source = f !== null && typeof f === 'object' ? f : ({} as Features)
      const mismatch = agreeOnConditions(ruleSet, source, tally)
      if (mismatch !== undefined) throw new Error(mismatch)
      if (!sameEvaluations(ruleSet, reference, f)) return false
    }
    return true
  }), { numRuns: 300 })
  t.pass('junk features give the same evaluation')
})

/**
 * Rules built from a few shared conditions: the program computes a subexpression that reads no
 * local variable once per evaluation (a slot), whichever rule needs it first, errors included.
 */
const sharingRules = fc.tuple(
  fc.array(gen.bool, { minLength: 1, maxLength: 3 }),
  fc.array(fc.record({
    a: fc.nat(),
    b: fc.nat(),
    op: fc.constantFrom('&&', '||', '==', '!='),
    negate: fc.boolean(),
    score: fc.integer({ min: -100, max: 100 }).filter((n) => n !== 0),
    action: fc.constantFrom(undefined, 'allow', 'review', 'block'),
    shadow: fc.boolean()
  }), { minLength: 2, maxLength: 8 })
).map(([pool, rules]) => rules.map((rule) => {
  const a = pool[rule.a % pool.length] as string
  const b = pool[rule.b % pool.length] as string
  return { when: `${rule.negate ? '!' : ''}(${a}) ${rule.op} (${b})`, score: rule.score, action: rule.action, shadow: rule.shadow }
}))

t.test('rule sets whose conditions share subexpressions: compiled and interpreted agree', async (t) => {
  const tally: Tally = { compiledValues: 0, compiledThrew: 0 }
  fc.assert(fc.property(sharingRules, fc.array(fc.oneof(features, features, junk), { minLength: 1, maxLength: 6 }), (rules, charges) => {
    const ruleSet = ruleSetOf(rules)
    if (ruleSet === undefined) return true
    const reference = interpreted(ruleSet)
    for (const f of charges) {
      const source = f !== null && typeof f === 'object' ? f : ({} as Features)
      const mismatch = agreeOnConditions(ruleSet, source, tally)
      if (mismatch !== undefined) throw new Error(mismatch)
      if (!sameEvaluations(ruleSet, reference, f)) return false
    }
    return true
  }), { numRuns: 300 })
  t.ok(tally.compiledValues > 0, `compiled answered ${tally.compiledValues}, handed ${tally.compiledThrew} to the interpreter`)
})

t.test('int arithmetic at the edges of the number path (2^53) and of CEL ints (2^63): exact answers', async (t) => {
  const edges = [0, 1, -1, 3, -7, 94_906_265, 94_906_266, 3_037_000_499, 3_037_000_500, 2 ** 31, 2 ** 32, 2 ** 52 + 1,
    Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 2 ** 62, -(2 ** 63)]
  const literals = [...edges.map(BigInt), 9007199254740993n, -9007199254740993n, 9223372036854775807n, -9223372036854775807n]
  const MIN = -(2n ** 63n)
  const MAX = 2n ** 63n - 1n
  /** CEL's int operators on exact integers (undefined: an error, overflow or division by zero) */
  const exact = (a: bigint, op: string, b: bigint): bigint | undefined => {
    let r: bigint
    switch (op) {
      case '+': r = a + b; break
      case '-': r = a - b; break
      case '*': r = a * b; break
      case '/': if (b === 0n) return undefined; return a / b
      default: if (b === 0n) return undefined; return a % b
    }
    return r < MIN || r > MAX ? undefined : r
  }
  let rulesChecked = 0
  const tally: Tally = { compiledValues: 0, compiledThrew: 0 }
  for (const x of edges) {
    for (const y of [...edges, ...literals]) {
      const rules: Array<{ when: string, score: number, action: string | undefined, shadow: boolean }> = []
      for (const op of ['+', '-', '*', '/', '%']) {
        // amount op item_count, amount op a literal: the digits of the result, its sign as a double
        const operand = typeof y === 'number' ? 'item_count' : String(y)
        const result = exact(BigInt(x), op, BigInt(y))
        const digits = result === undefined ? 'error' : String(result)
        rules.push({ when: `string(amount ${op} ${operand}) == "${digits}"`, score: 10, action: undefined, shadow: false })
        rules.push({ when: `1.0 / double(amount ${op} ${operand}) > 0.0 || amount ${op} ${operand} < -1`, score: 10, action: undefined, shadow: true })
      }
      const ruleSet = ruleSetOf(rules)
      if (ruleSet === undefined) throw new Error(`not compiled: ${rules.map((r) => r.when).join(' / ')}`)
      const f = { amount: x, currency: 'THB', item_count: typeof y === 'number' ? y : 1, items: [], metadata: {}, ip: { address: '203.0.113.9', version: 4, is_private: false }, customer: {} } as unknown as Features
      const mismatch = agreeOnConditions(ruleSet, f, tally)
      if (mismatch !== undefined) throw new Error(`amount ${x}, ${String(y)}: ${mismatch}`)
      if (!sameEvaluations(ruleSet, interpreted(ruleSet), f)) throw new Error(`amount ${x}, ${String(y)}: the evaluations differ`)
      rulesChecked += rules.length
    }
  }
  t.ok(tally.compiledValues > rulesChecked / 2, `compiled answered ${tally.compiledValues} of ${rulesChecked}, handed ${tally.compiledThrew} to the interpreter`)
})

t.test('the default rule set and the 200-rule bench set: compiled everywhere, same evaluations', async (t) => {
  const defaults = await loadRuleSet(path.join(rootDir, 'rules'))
  const bench = generatedRuleSet(200)
  for (const [name, ruleSet] of [['default', defaults], ['bench', bench]] as const) {
    t.same(ruleSet.rules.filter((rule) => rule.compiled === undefined).map((rule) => rule.id), [], `${name}: every rule compiled`)
    t.equal(ruleSet.program?.rules, ruleSet.rules, `${name}: one program for the set`)
    const reference = interpreted(ruleSet)
    const tally: Tally = { compiledValues: 0, compiledThrew: 0 }
    fc.assert(fc.property(features, (f) => {
      const mismatch = agreeOnConditions(ruleSet, f, tally)
      if (mismatch !== undefined) throw new Error(mismatch)
      return sameEvaluations(ruleSet, reference, f)
    }), { numRuns: name === 'bench' ? 300 : 2_000 })
    fc.assert(fc.property(junk, (f) => sameEvaluations(ruleSet, reference, f)), { numRuns: name === 'bench' ? 200 : 1_000 })
    t.ok(tally.compiledValues > 0 && tally.compiledThrew < tally.compiledValues / 5, `${name}: compiled answered ${tally.compiledValues}, handed over ${tally.compiledThrew}`)
  }
})
