import t from 'tap'
import { compileRuleSet, declaredListFiles } from '../../src/engine/compile.js'
import { formatSourceError } from '../../src/engine/yaml-source.js'
import { compileErrors, compileOk, RULESET_FILE } from '../helpers/rule-engine.js'

const lines = (...rows: string[]): string => rows.join('\n') + '\n'

const HEAD = [
  'version: "t.1"', //                                   line 1
  'thresholds: { review: 50, block: 80 }', //            line 2
  'velocity:', //                                        line 3
  '  ip_1h: { count: charges, by: ip, window: 1h }', //  line 4
  'lists:', //                                           line 5
  '  blocked: lists/blocked.txt' //                      line 6
]
const LISTS = { blocked: ['a@example.com'] }

interface ErrorCase {
  name: string
  rows: string[]
  line: number
  column: number
  rule?: string
  message: RegExp
}

// every case: exactly one error, at this line and column
const errorCases: ErrorCase[] = [
  {
    name: 'syntax error in a plain scalar',
    rows: [...HEAD, 'rules:', '  - id: tor', '    when: ip.is_tor &&', '    score: 10'],
    line: 9,
    column: 23,
    rule: 'tor',
    message: /^syntax error: /
  },
  {
    name: 'type error points at the offending operand',
    rows: [...HEAD, 'rules:', '  - id: cmp', '    when: ip.is_tor && amount > "big"', '    score: 10'],
    line: 9,
    column: 24,
    rule: 'cmp',
    message: /^type error: .*int > string/
  },
  {
    name: 'unknown field of a signal group',
    rows: [...HEAD, 'rules:', '  - id: typo', '    when: ip.is_torr', '    score: 10'],
    line: 9,
    column: 14,
    rule: 'typo',
    message: /is_torr/
  },
  {
    name: 'undeclared root variable',
    rows: [...HEAD, 'rules:', '  - id: dev', '    when: amount > 1 && session.id == "x"', '    score: 10'],
    line: 9,
    column: 25,
    rule: 'dev',
    message: /session/
  },
  {
    name: 'condition that is not a bool',
    rows: [...HEAD, 'rules:', '  - id: num', '    when: amount + 1', '    score: 10'],
    line: 9,
    column: 11,
    rule: 'num',
    message: /must be a bool, but it is int/
  },
  {
    name: 'undeclared velocity counter, at the counter name',
    rows: [...HEAD, 'rules:', '  - id: vel', '    when: amount > 1 && velocity.ip_24h > 3', '    score: 10'],
    line: 9,
    column: 34,
    rule: 'vel',
    message: /velocity\.ip_24h is not declared .*ip_1h/
  },
  {
    name: 'undeclared list, at the list name',
    rows: [...HEAD, 'rules:', '  - id: lst', '    when: email.address in lists.blockd', '    action: block'],
    line: 9,
    column: 34,
    rule: 'lst',
    message: /lists\.blockd is not declared .*blocked/
  },
  {
    name: 'error inside a folded block scalar',
    rows: [...HEAD, 'rules:', '  - id: folded', '    when: >', '      ip.is_tor &&', '        amount > "x"', '    score: 10'],
    line: 11,
    column: 9,
    rule: 'folded',
    message: /^type error/
  },
  {
    name: 'error inside a literal block scalar',
    rows: [...HEAD, 'rules:', '  - id: literal', '    when: |', '      ip.is_tor &&', '      velocity.nope > 1', '    score: 10'],
    line: 11,
    column: 16,
    rule: 'literal',
    message: /velocity\.nope/
  },
  {
    name: 'error inside a double-quoted scalar with escapes',
    rows: [...HEAD, 'rules:', '  - id: quoted', '    when: "card.country == \\"TH\\" && card.bin > 4"', '    score: 10'],
    line: 9,
    column: 38,
    rule: 'quoted',
    message: /^type error/
  },
  {
    name: 'duplicate rule id, at the second one',
    rows: [...HEAD, 'rules:', '  - id: tor', '    when: ip.is_tor', '    score: 10', '  - id: tor', '    when: ip.is_vpn', '    score: 5'],
    line: 11,
    column: 9,
    rule: 'tor',
    message: /duplicate rule id \(first defined at line 8\)/
  },
  {
    name: 'rule id not in snake_case',
    rows: [...HEAD, 'rules:', '  - id: TorExit', '    when: ip.is_tor', '    score: 10'],
    line: 8,
    column: 9,
    rule: 'TorExit',
    message: /snake_case/
  },
  {
    name: 'unknown key in a rule',
    rows: [...HEAD, 'rules:', '  - id: tor', '    when: ip.is_tor', '    scroe: 10', '    score: 10'],
    line: 10,
    column: 5,
    rule: 'tor',
    message: /unknown key "scroe"/
  },
  {
    name: 'score out of range',
    rows: [...HEAD, 'rules:', '  - id: tor', '    when: ip.is_tor', '    score: 150'],
    line: 10,
    column: 12,
    rule: 'tor',
    message: /score must be a non-zero integer from -100 to 100/
  },
  {
    name: 'score that is not an integer',
    rows: [...HEAD, 'rules:', '  - id: tor', '    when: ip.is_tor', '    score: 2.5'],
    line: 10,
    column: 12,
    rule: 'tor',
    message: /score must be/
  },
  {
    name: 'unknown action',
    rows: [...HEAD, 'rules:', '  - id: tor', '    when: ip.is_tor', '    action: deny'],
    line: 10,
    column: 13,
    rule: 'tor',
    message: /action must be one of allow, review, block/
  },
  {
    name: 'unknown mode',
    rows: [...HEAD, 'rules:', '  - id: tor', '    when: ip.is_tor', '    score: 5', '    mode: dry_run'],
    line: 11,
    column: 11,
    rule: 'tor',
    message: /mode must be one of live, shadow/
  },
  {
    name: 'rule without score or action',
    rows: [...HEAD, 'rules:', '  - id: tor', '    when: ip.is_tor'],
    line: 8,
    column: 9,
    rule: 'tor',
    message: /needs a score, an action, or both/
  },
  {
    name: 'when that YAML reads as a boolean',
    rows: [...HEAD, 'rules:', '  - id: always', '    when: true', '    score: 5'],
    line: 9,
    column: 11,
    rule: 'always',
    message: /quote it/
  },
  {
    name: 'condition starting with ! (a YAML tag) must be quoted',
    rows: [...HEAD, 'rules:', '  - id: not_tor', '    when: !ip.is_tor', '    score: 5'],
    line: 9,
    column: 11,
    rule: 'not_tor',
    message: /YAML reads "!ip\.is_tor" as a tag: quote/
  },
  {
    name: 'window out of range',
    rows: ['version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'velocity:', '  ip_1y: { count: charges, by: ip, window: 365d }', 'rules: []'],
    line: 4,
    column: 44,
    message: /velocity ip_1y: window must be a duration from 1m to 90d.*365d/
  },
  {
    name: 'window in seconds is refused',
    rows: ['version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'velocity:', '  ip_s: { count: charges, by: ip, window: 30s }', 'rules: []'],
    line: 4,
    column: 43,
    message: /window must be a duration/
  },
  {
    name: 'velocity key that is not a feature',
    rows: ['version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'velocity:', '  by_dev: { count: charges, by: [ip, device], window: 1h }', 'rules: []'],
    line: 4,
    column: 38,
    message: /"by" must name .*"device"/
  },
  {
    name: 'sum of a string feature',
    rows: ['version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'velocity:', '  s: { sum: email.address, by: ip, window: 1h }', 'rules: []'],
    line: 4,
    column: 13,
    message: /sum must name an integer feature path/
  },
  {
    name: 'counter with two kinds',
    rows: ['version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'velocity:', '  c: { count: charges, sum: amount, by: ip, window: 1h }', 'rules: []'],
    line: 4,
    column: 6,
    message: /exactly one of count/
  },
  {
    name: 'thresholds review above block',
    rows: ['version: "t.1"', 'thresholds: { review: 90, block: 80 }', 'rules: []'],
    line: 2,
    column: 13,
    message: /review must not be above/
  },
  {
    name: 'missing version',
    rows: ['thresholds: { review: 50, block: 80 }', 'rules: []'],
    line: 1,
    column: 1,
    message: /version is required/
  },
  {
    name: 'unknown top-level key',
    rows: ['version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'rule: []', 'rules: []'],
    line: 3,
    column: 1,
    message: /unknown key "rule"/
  },
  {
    name: 'YAML syntax error',
    rows: ['version: "t.1"', 'thresholds: { review: 50, block: 80 ', 'rules: []'],
    line: 3,
    column: 1,
    message: /./
  },
  {
    name: 'duplicate YAML key',
    rows: ['version: "t.1"', 'version: "t.2"', 'thresholds: { review: 50, block: 80 }', 'rules: []'],
    line: 2,
    column: 1,
    message: /unique/
  }
]

t.test('compile errors carry the exact file:line:col', async (t) => {
  for (const c of errorCases) {
    const errors = compileErrors(lines(...c.rows), LISTS)
    t.equal(errors.length, 1, `${c.name}: exactly one error (${errors.map((e) => e.message).join(' | ')})`)
    const error = errors[0]
    if (error === undefined) continue
    t.match(error, { file: RULESET_FILE, line: c.line, column: c.column, rule: c.rule }, c.name)
    t.match(error.message, c.message, `${c.name}: message`)
  }
})

t.test('all errors are reported at once and format as file:line:col rule id: message', async (t) => {
  const errors = compileErrors(lines(...HEAD, 'rules:',
    '  - id: a', '    when: ip.is_tor + 1', '    score: 10',
    '  - id: b', '    when: velocity.unknown > 2', '    score: 10'), LISTS)
  t.equal(errors.length, 2)
  t.same(errors.map((e) => formatSourceError(e)), [
    'rules/ruleset.yaml:9:11 rule a: type error: no such overload: bool + int',
    'rules/ruleset.yaml:12:20 rule b: velocity.unknown is not declared under velocity: (declared: ip_1h)'
  ])
})

t.test('a list the loader could not read fails at its declaration', async (t) => {
  const text = lines('version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'lists:', '  blocked: ../secrets.txt',
    'rules:', '  - id: blocked', '    when: email.address in lists.blocked', '    action: block')
  const result = compileRuleSet({
    file: RULESET_FILE,
    text,
    lists: { blocked: { file: '../secrets.txt', values: [], error: '../secrets.txt must be a path inside the rules folder' } }
  })
  t.equal(result.ok, false)
  if (result.ok) return
  // one error: the rule that uses the broken list is not also reported
  t.same(result.errors.map((e) => formatSourceError(e)), [
    'rules/ruleset.yaml:4:12 list blocked: ../secrets.txt must be a path inside the rules folder'
  ])
})

t.test('a list declared but not provided by the loader is an error', async (t) => {
  const errors = compileErrors(lines('version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'lists:', '  vip: lists/vip.txt', 'rules: []'))
  t.match(errors, [{ line: 4, column: 8, message: /list vip: lists\/vip\.txt was not read/ }])
})

t.test('velocity counters become VelocityCounterSpecs with canonical key paths', async (t) => {
  const rs = compileOk(lines('version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'velocity:',
    '  a: { count: charges, by: ip, window: 1m }',
    '  b: { distinct: card, by: email, window: 24h }',
    '  c: { sum: amount, by: customer, window: 90d }',
    '  d: { distinct: card.fingerprint, by: [card.bin, ip], window: 30m }',
    '  e: { count: charges, by: [customer.id, billing.postal_code], window: 7d }',
    'rules: []'))
  t.same(rs.velocity, [
    { name: 'a', kind: 'count', by: ['ip.address'], windowSeconds: 60 },
    { name: 'b', kind: 'distinct', of: 'card.fingerprint', by: ['email.address'], windowSeconds: 86_400 },
    { name: 'c', kind: 'sum', of: 'amount', by: ['customer.id'], windowSeconds: 7_776_000 },
    { name: 'd', kind: 'distinct', of: 'card.fingerprint', by: ['card.bin', 'ip.address'], windowSeconds: 1_800 },
    { name: 'e', kind: 'count', by: ['customer.id', 'billing.postal_code'], windowSeconds: 604_800 }
  ])
})

t.test('the hash ignores layout and comments but not meaning', async (t) => {
  const a = compileOk(lines('version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'lists:', '  l: lists/l.txt',
    'rules:', '  - id: r', '    when: customer.id in lists.l', '    score: 10'), { l: ['x', 'y'] })
  const b = compileOk(lines('# a comment', 'version: \'t.1\'', 'thresholds:', '  block: 80', '  review: 50', 'lists: { l: lists/l.txt }',
    'rules:', '  - score: 10', '    id: r', '    when: "customer.id in lists.l"'), { l: ['y', 'x', 'x'] })
  t.match(a.hash, /^[0-9a-f]{64}$/)
  t.equal(a.hash, b.hash, 'same meaning, same hash')
  const c = compileOk(lines('version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'lists:', '  l: lists/l.txt',
    'rules:', '  - id: r', '    when: customer.id in lists.l', '    score: 10'), { l: ['x', 'z'] })
  t.not(a.hash, c.hash, 'a list value changes the hash')
  const d = compileOk(lines('version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'lists:', '  l: lists/l.txt',
    'rules:', '  - id: r', '    when: customer.id in lists.l', '    score: 11'), { l: ['x', 'y'] })
  t.not(a.hash, d.hash, 'a score changes the hash')
  t.equal(a.version, 't.1')
})

t.test('definition: a JSON description without list values', async (t) => {
  const rs = compileOk(lines(...HEAD, 'rules:', '  - id: tor', '    when: ip.is_tor', '    score: 40', '    mode: shadow',
    '  - id: blocked', '    description: Blocked email', '    when: email.address in lists.blocked', '    action: block'), LISTS)
  t.same(rs.definition.lists, [{ name: 'blocked', file: 'rules/lists/blocked.txt', size: 1 }])
  t.same(rs.definition.rules, [
    { id: 'tor', description: 'ip.is_tor', when: 'ip.is_tor', score: 40, action: null, mode: 'shadow', line: 8 },
    { id: 'blocked', description: 'Blocked email', when: 'email.address in lists.blocked', score: null, action: 'block', mode: 'live', line: 12 }
  ])
  t.notMatch(JSON.stringify(rs.definition), 'a@example.com')
})

t.test('an empty rule set compiles', async (t) => {
  const rs = compileOk(lines('version: "t.1"', 'thresholds: { review: 0, block: 0 }', 'rules: []'))
  t.equal(rs.rules.length, 0)
  t.same(rs.velocity, [])
})

t.test('declaredListFiles reads the list section leniently', async (t) => {
  t.type(declaredListFiles(lines('version: 1', 'lists:', '  a: lists/a.txt', 'rules: [')), 'object', 'broken YAML does not throw')
  t.same(declaredListFiles(lines('lists:', '  a: lists/a.txt', '  b: 3')), { a: 'lists/a.txt' })
  t.same(declaredListFiles('- not a map'), {})
})
