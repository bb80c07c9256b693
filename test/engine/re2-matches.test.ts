import t from 'tap'
import { RE2JS } from 're2js'
import { compileRuleSet } from '../../src/engine/compile.js'
import { evaluate } from '../../src/engine/evaluate.js'
import { compilePattern, createPatternSet, MAX_PATTERN_SIZE, PatternError } from '../../src/engine/re2-pattern.js'
import type { CompiledRule, CompiledRuleSet } from '../../src/engine/ruleset.js'
import { formatSourceError } from '../../src/engine/yaml-source.js'
import { compileErrors, compileOk, features, RULESET_FILE, ruleSetText } from '../helpers/rule-engine.js'

/**
 * matches() is CEL's: RE2 syntax on a linear-time engine (re2js), the same compiled pattern for
 * the compiled conditions and the interpreter, every pattern compiled when the rule set is.
 */

function interpreted (ruleSet: CompiledRuleSet): CompiledRuleSet {
  return { ...ruleSet, rules: ruleSet.rules.map(({ compiled: _compiled, ...rule }): CompiledRule => rule) }
}

const cel = (s: string): string => JSON.stringify(s)

function single (when: string): CompiledRuleSet {
  return compileOk(ruleSetText(`  - id: r\n    when: ${JSON.stringify(when)}\n    score: 60`))
}

t.test('patterns RE2 refuses, and patterns too large, are compile errors at file:line:col', async (t) => {
  const cases: Array<[string, number, RegExp]> = [
    // line 6 is `    when: "description.matches(\"...\")"`: the pattern starts at column 33
    ['(a)\\1', 33, /^matches\(\): not an RE2 pattern: invalid escape sequence: `\\1`$/],
    ['(?=card)', 33, /invalid or unsupported Perl syntax: `\(\?=`/],
    ['(?<!gift )card', 33, /not an RE2 pattern/],
    ['\\u0041', 33, /invalid escape sequence: `\\u`/],
    ['[a-z', 33, /missing closing ]/],
    ['a{1001}', 33, /invalid repeat count/],
    ['(.*a){1000}', 33, new RegExp(`compiles to 5002 instructions, more than ${MAX_PATTERN_SIZE}`)]
  ]
  for (const [pattern, column, message] of cases) {
    const errors = compileErrors(ruleSetText(`  - id: r\n    when: ${JSON.stringify(`description.matches(${cel(pattern)})`)}\n    score: 60`))
    t.equal(errors.length, 1, `${pattern}: one error`)
    t.match(errors[0], { file: RULESET_FILE, line: 6, column, rule: 'r', message }, pattern)
  }

  // every bad pattern of a set at once, at its own position, in any YAML style
  const errors = compileErrors(ruleSetText([
    '  - id: two',
    '    when: >',
    '      description.matches("ok") &&',
    '      description.matches("(?!x)") || description.matches("\\\\2")',
    '    score: 10',
    '  - id: fine',
    '    when: description.matches("(a+)+$")',
    '    score: 10'
  ].join('\n')))
  t.same(errors.map((e) => formatSourceError(e)), [
    'rules/ruleset.yaml:8:27 rule two: matches(): not an RE2 pattern: invalid or unsupported Perl syntax: `(?!`',
    'rules/ruleset.yaml:8:59 rule two: matches(): not an RE2 pattern: invalid escape sequence: `\\2`'
  ])

  // a type error names the function as written
  t.match(compileErrors(ruleSetText('  - id: r\n    when: amount.matches("1")\n    score: 5')),
    [{ line: 6, message: "type error: found no matching overload for 'int.matches(string)'" }])
})

t.test('a pattern that is not a string literal is a compile error', async (t) => {
  for (const when of ['description.matches(card.bin)', "cel.bind(p, '^x', description.matches(p))", "description.matches('gift' + ' card')"]) {
    const errors = compileErrors(ruleSetText(`  - id: r\n    when: ${JSON.stringify(when)}\n    score: 5`))
    t.match(errors, [{ line: 6, rule: 'r', message: /^matches\(\) takes its pattern as a string literal/ }], when)
    t.equal(errors[0]?.column, 11 + JSON.stringify(when).indexOf('.matches(') + '.matches('.length, `${when}: at the pattern`)
  }
})

t.test('matches() answers as RE2 does, compiled and interpreted alike', async (t) => {
  // [pattern, input, RE2's answer]; where JavaScript's RegExp answers otherwise, it says so
  const cases: Array<[string, string, boolean]> = [
    ['card', 'gift card', true], //                     a search, not a whole-string match
    ['^gift$', 'gift card', false],
    ['(?i)^gift', 'GIFT card', true], //                inline flags (JavaScript: a syntax error)
    ['(?s)a.b', 'a\nb', true],
    ['a.b', 'a\nb', false],
    ['a.b', 'a\rb', true], //                            `.` excludes \n only (JavaScript: \r too)
    ['^.$', '\ud83d\ude00', true], //                    a code point (JavaScript: two code units)
    ['^\\pL+$', '\u00e9t\u00e9', true], //              Unicode classes (JavaScript: `\p` is `p`)
    ['\\x{e9}', '\u00e9t\u00e9', true],
    ['^[[:upper:]]+$', 'TH', true], //                   POSIX classes
    ['\\Q.*\\E', 'a.*b', true], //                       quoted text
    ['\\Q.*\\E', 'ab', false],
    ['a\\z', 'xa', true],
    ['a$', 'a\n', false],
    ['\\s', '\u000b', false], //                        \s is [\t\n\f\r ] (JavaScript: \v and Unicode spaces too)
    ['\\bcard\\b', 'gift card!', true],
    ['(a+)+$', `${'a'.repeat(5_000)}!`, false], //      exponential for a backtracking engine
    ['(x+x+)+y', 'x'.repeat(5_000), false],
    ['(.*a){20}', `${'a'.repeat(5_000)}`, true]
  ]
  for (const [pattern, input, expected] of cases) {
    const ruleSet = single(`description.matches(${cel(pattern)})`)
    t.ok(ruleSet.rules[0]?.compiled !== undefined, `${pattern}: compiled`)
    const f = features({ description: input })
    const compiled = evaluate(ruleSet, f)
    t.equal(compiled.score, expected ? 60 : 0, `${pattern} on ${JSON.stringify(input.slice(0, 12))}: ${String(expected)}`)
    t.same(evaluate(interpreted(ruleSet), f), compiled, `${pattern}: the interpreter agrees`)
  }

  // a receiver of type dyn (a metadata value) is left to the interpreter: still RE2
  const ruleSet = single('metadata.note.matches("(?i)^urgent")')
  t.equal(ruleSet.rules[0]?.compiled, undefined, 'interpreted')
  t.equal(evaluate(ruleSet, features({ metadata: { note: 'URGENT: ship today' } })).score, 60)
  t.equal(evaluate(ruleSet, features({ metadata: { note: 'not urgent' } })).score, 0)
})

t.test('patterns are compiled once, with the rule set, never while a charge is scored', async (t) => {
  let compiles = 0
  const compile = RE2JS.compile.bind(RE2JS)
  RE2JS.compile = (regex: string, flags?: number): RE2JS => {
    compiles++
    return compile(regex, flags)
  }
  t.teardown(() => { RE2JS.compile = compile })

  const ruleSet = compileOk(ruleSetText([
    '  - id: a', '    when: description.matches("(?i)gift ?card") || description.matches("^x+$")', '    score: 10',
    '  - id: b', '    when: items.exists(i, i.name.matches("(?i)gift ?card"))', '    score: 10',
    '  - id: c', '    when: metadata.note.matches("^x+$")', '    score: 10'
  ].join('\n')))
  t.equal(compiles, 2, 'each distinct pattern compiled once, however many rules use it')
  const reference = interpreted(ruleSet)
  for (let i = 0; i < 50; i++) {
    const f = features({ description: i % 2 === 0 ? 'Gift Card' : 'x'.repeat(i), items: [{ name: `gift card ${i}` }], metadata: { note: 'x'.repeat(i + 1) } })
    t.same(evaluate(ruleSet, f), evaluate(reference, f))
  }
  t.equal(compiles, 2, 'scoring compiled nothing, compiled code or interpreter')
})

t.test('compilePattern and the pattern set', async (t) => {
  t.equal(compilePattern('^a+$').test('aaa'), true)
  t.throws(() => compilePattern('(?<=a)b'), PatternError)
  t.throws(() => compilePattern('.{1000}.{1000}'), { name: 'PatternError', message: /more than 1000/ })
  const patterns = createPatternSet()
  t.equal(patterns.get('a'), undefined)
  const a = patterns.add('a')
  t.equal(patterns.add('a'), a, 'the same compiled pattern')
  t.equal(patterns.get('a'), a)
  t.throws(() => patterns.add('('), PatternError)
  t.equal(patterns.get('('), undefined, 'a refused pattern is not kept')
  const result = compileRuleSet({ file: RULESET_FILE, text: ruleSetText('  - id: r\n    when: description.matches("(")\n    score: 5'), lists: {} })
  t.equal(result.ok, false, 'refused as a whole')
})
