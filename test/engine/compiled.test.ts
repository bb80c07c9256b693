import t from 'tap'
import fc from 'fast-check'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { createCelEnvironment } from '../../src/engine/cel-environment.js'
import { compileToJs } from '../../src/engine/compiled/compile-js.js'
import type { JsCompileResult } from '../../src/engine/compiled/compile-js.js'
import { createNameWhitelist } from '../../src/engine/compiled/message-types.js'
import { compilationSummary } from '../../src/engine/compiled/summary.js'
import { compileRuleSet } from '../../src/engine/compile.js'
import { evaluate } from '../../src/engine/evaluate.js'
import type { CompiledRule, CompiledRuleSet } from '../../src/engine/ruleset.js'
import { rootDir } from '../helpers/app.js'
import { compileOk, features, ruleSetText } from '../helpers/rule-engine.js'

const HEADER = 'velocity:\n  v: { count: charges, by: ip, window: 1h }\nlists:\n  l: lists/l.txt'

function js (condition: string): JsCompileResult {
  const env = createCelEnvironment(['v'], ['l'])
  const parsed = env.parse(condition)
  const checked = parsed.check()
  if (!checked.valid) throw new Error(`test condition does not type-check: ${condition}`)
  return compileToJs(parsed.ast, createNameWhitelist(['v'], new Map([['l', new Set(['a'])]])))
}

function single (condition: string, lists: Record<string, string[]> = { l: ['a'] }): { ruleSet: CompiledRuleSet, rule: CompiledRule } {
  const ruleSet = compileOk(ruleSetText(`  - id: r\n    when: ${JSON.stringify(condition)}\n    score: 60`, HEADER), lists)
  return { ruleSet, rule: ruleSet.rules[0] as CompiledRule }
}

/** a CEL string literal: JSON's escapes, and line separators escaped too */
function cel (s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

function interpreted (ruleSet: CompiledRuleSet): CompiledRuleSet {
  return { ...ruleSet, rules: ruleSet.rules.map(({ compiled: _compiled, ...rule }): CompiledRule => rule) }
}

t.test('what the compiler translates, and what it leaves to the interpreter (and why)', async (t) => {
  for (const condition of [
    'ip.is_tor', 'ip.country != card.country', 'velocity.v >= 6', 'email.address in lists.l',
    'amount >= (currency == "THB" ? 2000000 : 60000) && (has(ip.is_tor) && ip.is_tor)',
    'description.lowerAscii().containsAny(["gift card", "voucher"])', 'description.matches("gift ?card")',
    'items.exists(i, i.category == "gift_card" && i.quantity >= 3)', 'items.all(i, has(i.sku))',
    'items.exists_one(i, i.unit_price > 100)', 'size(items.filter(i, i.quantity > 1)) > 2',
    'items.map(i, i.quantity * i.unit_price).exists(x, x > 100000)', 'lists.l.exists(b, card.bin.startsWith(b))',
    'ip.asn in [15169, 16509]', 'cel.bind(d, ip.country, d == "TH" || d == "SG")', 'double(amount) / 100.0 > ip.risk',
    'int(ip.risk) % 7 == 3', 'string(amount).size() > 5', 'size(description) > 10 && description.trim().startsWith("x")'
  ]) {
    const result = js(condition)
    t.ok(result.ok, `compiled: ${condition}${result.ok ? '' : ` (${result.reason})`}`)
  }
  const interpretedBecause: Array<[string, RegExp]> = [
    ['metadata.channel == "app"', /dyn/],
    ['description.matches(card.bin)', /pattern that is not a literal/],
    ['description.matches("(")', /invalid pattern/],
    ['{"a": 1}["a"] == 1', /map|dyn|\[\]/],
    ['items[0].quantity > 1', /\[\]/],
    ['[ip.country] == [card.country]', /list<string> == list<string>/],
    ['uint(amount) > 5u', /uint/],
    ['b"ab".size() == 2', /bytes/],
    ['timestamp("2026-01-01T00:00:00Z") < timestamp("2027-01-01T00:00:00Z")', /timestamp/],
    ['description.split(" ").size() > 2', /split/]
  ]
  for (const [condition, reason] of interpretedBecause) {
    const result = js(condition)
    t.notOk(result.ok, `interpreted: ${condition}`)
    if (!result.ok) t.match(result.reason, reason, `reason for ${condition}: ${result.reason}`)
  }
  // the rule set records it, and evaluation still works through the interpreter
  const { ruleSet, rule } = single('metadata.channel == "app"')
  t.equal(rule.compiled, undefined)
  t.match(rule.interpretedBecause, /dyn/)
  t.equal(evaluate(ruleSet, features({ metadata: { channel: 'app' } })).score, 60)
})

t.test('the generated source holds only whitelisted names and escaped literals', async (t) => {
  const allowed = new Set([
    'return', 'let', 'const', 'for', 'if', 'typeof', 'true', 'false', 'null', 'features', 'f', 't', 'k', 'M', '$', 'n',
    // runtime helpers and JavaScript string and array members the generator may use
    'fail', 'int', 'dbl', 'str', 'bool', 'rec', 'items', 'hasInt', 'hasDbl', 'hasStr', 'hasBool',
    'addInt', 'subInt', 'mulInt', 'divInt', 'modInt', 'doubleToInt', 'intToDouble', 'toText', 'doubleToText',
    'sizeOfString', 'sizeOfList', 'sizeOfMap', 'inList', 'inMap', 'inSet', 'containsAny', 'range', 'length',
    'filter', 'mapList', 'includes', 'startsWith', 'endsWith', 'toLowerCase', 'toUpperCase', 'trim', 'test'
  ])
  const fields = createNameWhitelist(['v'], new Map([['l', new Set(['a'])]]))
  for (const root of [...fields.scalars.keys(), ...fields.groups.keys()]) allowed.add(root)
  for (const message of fields.messages.values()) for (const field of message.fields.keys()) allowed.add(field)

  const hostile = ['"); process.exit(1); ("', '`$' + '{process.exit(1)}`', '*/ throw 1 /*', '\u2028\u2029', '\\', '\'', '</script>', 'constructor', '__proto__']
  const conditions = [
    ...hostile.map((s) => `description == ${cel(s)} || description.contains(${cel(s)})`),
    'items.exists(i, i.quantity > 1) && cel.bind(x, amount, x > 5)'
  ]
  for (const condition of conditions) {
    const result = js(condition)
    if (!result.ok) {
      t.fail(`${condition}: ${result.reason}`)
      continue
    }
    // outside its JSON string literals, the source is made of allowed names, locals and punctuation
    const code = result.source.replace(/"(?:[^"\\]|\\.)*"/g, '""')
    for (const word of code.match(/[A-Za-z_$][\w$]*/g) ?? []) {
      t.ok(allowed.has(word) || /^[vm]\d+$/.test(word), `${JSON.stringify(word)} in the source of ${condition}`)
    }
    t.notOk(/\b(process|exit|script|throw|__proto__)\b/.test(code), 'no text of the condition outside string literals')
  }

  // any string survives the round trip: the compiled condition sees exactly the text written
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
    const { ruleSet, rule } = single(`description == ${cel(s)}`)
    if (rule.compiled === undefined) return false
    return evaluate(ruleSet, features({ description: s })).score === 60 && evaluate(ruleSet, features({ description: `${s}x` })).score === 0
  }), { numRuns: 300 })
})

t.test('the source of a rule set\'s program holds only whitelisted names, generated locals and escaped literals', async (t) => {
  const hostile = ['"); process.exit(1); ("', '`$' + '{process.exit(1)}`', '*/ throw 1 /*', '\u2028\u2029', '\\', '\'', '</script>', 'constructor', '__proto__']
  const rules = hostile.flatMap((s, i) => [
    // a string literal, a free-text description, a metadata key (its path is read and shown): in the program
    `  - id: h${i}\n    description: ${JSON.stringify(s)}\n    when: ${JSON.stringify(`description == ${cel(s)} || description.contains(${cel(s)}) || metadata[${cel(s)}] == "x"`)}\n    score: 5`,
    `  - id: g${i}\n    description: ${JSON.stringify(s)}\n    when: ${JSON.stringify(`has(metadata.k${i}) && ip.country != card.country && ${cel(s)} in lists.l`)}\n    score: 5\n    mode: shadow`
  ])
  rules.push('  - id: q\n    when: "items.exists(i, i.quantity > 1) && cel.bind(x, amount, x > 5) && velocity.v >= 3"\n    action: review')
  const sources: string[] = []
  const result = compileRuleSet({ file: 'hostile.yaml', text: ruleSetText(rules.join('\n'), HEADER), lists: { l: { file: 'l.txt', values: hostile } } }, {
    onProgramSource: (source) => sources.push(source)
  })
  t.ok(result.ok, 'compiled')
  if (!result.ok) return
  t.ok(result.ruleSet.program !== undefined && sources.length >= 2, 'a program and its reader')
  const fields = createNameWhitelist(['v'], new Map([['l', new Set(['a'])]]))
  const allowed = new Set([
    'use', 'strict', 'return', 'function', 'let', 'const', 'for', 'in', 'switch', 'case', 'break', 'if', 'else', 'try', 'catch',
    'typeof', 'undefined', 'true', 'false', 'null', 'key', 'f', 'v', 's', 'e', 'k', 'x', 't', 'n', 'D', 'T', 'I', 'H', 'M', 'P', 'U', 'E', '$',
    'readFeatures', 'unseen', 'readPath', 'length', 'push', 'reasons', 'shadowReasons', 'skipped', 'skip', 'other', 'values',
    'allScore', 'liveScore', 'allActions', 'liveActions', 'rule', 'description', 'score', 'action', 'unknown',
    'fail', 'int', 'dbl', 'str', 'bool', 'rec', 'items', 'metadata', 'hasInt', 'hasDbl', 'hasStr', 'hasBool', 'inMap', 'inList', 'inSet', 'range', 'includes'
  ])
  for (const root of [...fields.scalars.keys(), ...fields.groups.keys()]) allowed.add(root)
  for (const message of fields.messages.values()) for (const field of message.fields.keys()) allowed.add(field)
  for (const source of sources) {
    const code = source.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/'use strict'/g, '')
    const unexpected = (code.match(/[A-Za-z_$][\w$]*/g) ?? []).filter((word) => !allowed.has(word) && !/^(?:[vmoa]\d+|rules\d+)$/.test(word))
    t.same([...new Set(unexpected)], [], 'no other name in the source')
    t.notOk(/\b(process|exit|script|throw|__proto__)\b/.test(code), 'no text of the rule file outside string literals')
  }
  // and it runs: the program's evaluation is the interpreter's
  const f = features({ description: hostile[0], metadata: { [hostile[0] as string]: 'x', k1: 1 }, card: { country: 'US' }, ip: { address: '203.0.113.10', version: 4, is_private: false, country: 'TH' } })
  t.same(evaluate(result.ruleSet, f), evaluate(interpreted(result.ruleSet), f))
})

t.test('the program reads the Features as property reads do: inherited, non-enumerable, getters', async (t) => {
  const { ruleSet } = single('amount > 5 && ip.country == "TH" && (has(card.country) || description.contains("x"))')
  const reference = interpreted(ruleSet)
  const base = features({ amount: 10, description: 'x', ip: { address: '203.0.113.10', version: 4, is_private: false, country: 'TH' } })
  const cases: Array<[string, object]> = [
    ['roots inherited from a prototype', Object.create(base) as object],
    ['a non-enumerable root', Object.defineProperty({ ...base }, 'ip', { value: base.ip, enumerable: false })],
    ['a non-enumerable root shadowing an enumerable inherited one', Object.defineProperty(Object.create({ amount: 1 }) as object, 'amount', { value: 10, enumerable: false })],
    ['a getter for a root', Object.defineProperty({ ...base }, 'amount', { get: () => 10, enumerable: true })],
    ['a throwing getter on a property no rule reads', Object.defineProperty({ ...base }, 'unread', { get: () => { throw new Error('read') }, enumerable: true })],
    ['a null prototype', Object.assign(Object.create(null) as object, base)],
    ['an array', Object.assign([], base)]
  ]
  for (const [name, f] of cases) {
    t.same(evaluate(ruleSet, f as never), evaluate(reference, f as never), name)
  }
  t.equal(evaluate(ruleSet, cases[0]?.[1] as never).score, 60, 'inherited roots are read')
})

t.test('CEL semantics at the edges: the same answers and errors as the interpreter', async (t) => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['string(ip.risk * 1e300 * 1e300) == "+Inf"', { ip: { address: '1.1.1.1', version: 4, is_private: false, risk: 2 } }],
    ['string(-ip.risk * 1e300 * 1e300) == "-Inf"', { ip: { address: '1.1.1.1', version: 4, is_private: false, risk: 2 } }],
    ['-0.0 == ip.risk', { ip: { address: '1.1.1.1', version: 4, is_private: false, risk: 0 } }],
    ['amount * amount > 0', { amount: 4_000_000_000 }],
    ['amount * amount * amount > 0', { amount: 4_000_000_000 }],
    ['amount / item_count > 1', { item_count: 0 }],
    ['amount % item_count == 0', { item_count: 0 }],
    ['-7 / 2 == -3 && -7 % 2 == -1', {}],
    ['size(description) == 1', { description: '\ud83d\ude00' }],
    ['description.lowerAscii() == "\u00e9t\u00e9"', { description: '\u00c9T\u00c9' }],
    ['int(ip.risk) == 3', { ip: { address: '1.1.1.1', version: 4, is_private: false, risk: 3.99 } }],
    ['int(ip.risk * 1e300 * 1e300) > 0', { ip: { address: '1.1.1.1', version: 4, is_private: false, risk: 3 } }],
    ['items.exists(i, i.quantity > 2)', { items: [{ name: 'no quantity' }, { quantity: 3 }] }],
    ['items.exists(i, i.quantity > 2)', { items: [{ name: 'no quantity' }, { quantity: 1 }] }],
    ['items.all(i, i.quantity > 2)', { items: [{ name: 'no quantity' }, { quantity: 1 }] }],
    ['ip.is_tor || amount > 1', { ip: { address: '1.1.1.1', version: 4, is_private: false, is_tor: 'yes' } }],
    ['amount > 1', { amount: '100' }],
    ['amount > 1', { amount: 1.5 }],
    ['"a" in lists.l && !("b" in lists.l)', {}],
    ['ip.asn in [1, 2, 3]', { ip: { address: '1.1.1.1', version: 4, is_private: false, asn: 2 } }],
    ['description.matches("^gift ?card$")', { description: 'giftcard' }],
    // macro and bind variables shadow the roots they are named after (no shared memo for them)
    ['items.exists(amount, amount.quantity > 1) && amount > 5', { amount: 10, items: [{ quantity: 2 }] }],
    ['amount > 5 && items.exists(amount, amount.quantity > 1)', { amount: 10, items: [{ quantity: 1 }] }],
    ['cel.bind(ip, card, ip.country == "TH") && ip.country == "US"', { card: { country: 'TH' }, ip: { address: '1.1.1.1', version: 4, is_private: false, country: 'US' } }],
    ['ip.country == "US" && cel.bind(ip, card, ip.country == "TH")', { card: { country: 'SG' }, ip: { address: '1.1.1.1', version: 4, is_private: false, country: 'US' } }]
  ]
  for (const [condition, extra] of cases) {
    const { ruleSet, rule } = single(condition)
    t.ok(rule.compiled !== undefined, `compiled: ${condition}`)
    const f = features(extra)
    t.same(evaluate(ruleSet, f), evaluate(interpreted(ruleSet), f), `${condition} with ${JSON.stringify(extra)}`)
  }
  // errors keep the interpreter's message
  const { ruleSet } = single('amount / item_count > 1')
  t.match(evaluate(ruleSet, features({ item_count: 0 })).skipped, [{ rule: 'r', unknown: [], error: /division by zero/ }])
})

t.test('src/engine/compiled imports only the engine and cel-js (the engine stays pure)', async (t) => {
  const dir = path.join(rootDir, 'src', 'engine', 'compiled')
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'))
  t.ok(files.length >= 4)
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8')
    for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const specifier = match[1] as string
      t.ok(/^\.\.?\/[^/]+\.js$/.test(specifier) || specifier === '@marcbachmann/cel-js', `${file} imports ${specifier}`)
    }
  }
})

t.test('the compilation summary names the interpreted rules and why', async (t) => {
  const ruleSet = compileOk(ruleSetText([
    '  - id: fast\n    when: ip.is_tor\n    score: 10',
    '  - id: dynamic\n    when: metadata.channel == "app"\n    score: 10'
  ].join('\n'), HEADER), { l: ['a'] })
  const summary = compilationSummary(ruleSet)
  t.equal(summary.compiled, 1)
  t.match(summary.interpreted, [{ rule: 'dynamic', reason: /dyn/ }])
  t.equal(summary.interpreted.length, 1)
})
