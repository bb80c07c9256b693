import t from 'tap'
import path from 'node:path'
import { runCli } from '../../src/cli/main.js'
import { captureIo } from '../helpers/cli-io.js'
import { rootDir } from '../helpers/test-data.js'

const HEAD = 'version: "t.1"\nthresholds: { review: 50, block: 80 }\n'

t.test('the default rule set passes, with --strict too: its warnings are listed, acknowledged with their reasons', async (t) => {
  const io = captureIo({ cwd: rootDir })
  t.equal(await runCli(['rules', 'check'], io), 0)
  t.match(io.out(), /^rules\/ruleset\.yaml: 23 rules, 7 velocity counters, 2 lists \(version 2026-12-05\.1, hash [0-9a-f]{12}\)$/m)
  t.match(io.out(), /^rules\/ruleset\.yaml:\d+:9 warning rule trusted_customer: can fire on the same charge as the block rule blocked_email, and allow wins \(in the shadow decision\): .* \[allow_block_overlap\] \(acknowledged: On purpose: .+\)$/m)
  t.match(io.out(), /^rules\/ruleset\.yaml:\d+:9 warning rule trusted_customer: can fire on a charge whose score reaches the block threshold \(80\), .* \[allow_overrides_score\] \(acknowledged: On purpose: .+\)$/m)
  t.match(io.out(), /0 errors, 3 warnings \(3 acknowledged\): ok\n$/)
  // the default set must stay clean: CI checks it with --strict
  const strict = captureIo({ cwd: rootDir })
  t.equal(await runCli(['rules', 'check', '--strict'], strict), 0, strict.out())
  t.match(strict.out(), /0 errors, 3 warnings \(3 acknowledged\): ok\n$/)
})

const OVERLAP = HEAD + 'lists:\n  trusted: lists/t.txt\nrules:\n' +
  '  - id: trusted\n    when: customer.id in lists.trusted\n    action: allow\n' +
  '  - id: tor\n    when: ip.is_tor\n    action: block\n'

t.test('--strict fails on a warning no acknowledgement covers, passes once its rule acknowledges it with a reason', async (t) => {
  const open = t.testdir({ 'ruleset.yaml': OVERLAP, lists: { 't.txt': 'cus_1\n' } })
  const plain = captureIo({ cwd: open })
  t.equal(await runCli(['rules', 'check', open], plain), 0)
  t.match(plain.out(), /ruleset\.yaml:6:9 warning rule trusted: can fire on the same charge as the block rule tor, and allow wins: for example customer\.id = "cus_1", ip\.is_tor = true \[allow_block_overlap\]\n/)
  t.match(plain.out(), /0 errors, 1 warning: ok\n$/)
  const strict = captureIo({ cwd: open })
  t.equal(await runCli(['rules', 'check', open, '--strict'], strict), 1)
  t.match(strict.out(), /0 errors, 1 warning: warnings fail with --strict\n$/)

  const acknowledged = t.testdir({
    'ruleset.yaml': OVERLAP.replace('    action: allow\n', '    action: allow\n    acknowledge:\n      - warning: allow_block_overlap\n        reason: VIP customers pass on purpose\n'),
    lists: { 't.txt': 'cus_1\n' }
  })
  const io = captureIo({ cwd: acknowledged })
  t.equal(await runCli(['rules', 'check', acknowledged, '--strict'], io), 0)
  t.match(io.out(), /\[allow_block_overlap\] \(acknowledged: VIP customers pass on purpose\)\n/)
  t.match(io.out(), /0 errors, 1 warning \(1 acknowledged\): ok\n$/)
  const json = captureIo({ cwd: acknowledged })
  t.equal(await runCli(['rules', 'check', acknowledged, '--strict', '--json'], json), 0)
  t.match(JSON.parse(json.out()), { ok: true, findings: [{ code: 'allow_block_overlap', rule: 'trusted', acknowledged: { reason: 'VIP customers pass on purpose' } }] })
})

t.test('an acknowledgement of a warning that does not occur is a warning; one without a reason is an error', async (t) => {
  const unneeded = t.testdir({ 'ruleset.yaml': HEAD + 'rules:\n  - id: tor\n    when: ip.is_tor\n    score: 10\n    acknowledge: [{ warning: always_fires, reason: "x" }]\n' })
  const io = captureIo({ cwd: unneeded })
  t.equal(await runCli(['rules', 'check', unneeded], io), 0)
  t.match(io.out(), /ruleset\.yaml:7:30 warning rule tor: acknowledges always_fires, but the rule has no such warning: remove the acknowledgement \[unneeded_acknowledgement\]\n/)
  const strict = captureIo({ cwd: unneeded })
  t.equal(await runCli(['rules', 'check', unneeded, '--strict'], strict), 1)

  const noReason = t.testdir({ 'ruleset.yaml': HEAD + 'rules:\n  - id: tor\n    when: ip.is_tor\n    score: 10\n    acknowledge:\n      - warning: always_fires\n' })
  const refused = captureIo({ cwd: noReason })
  t.equal(await runCli(['rules', 'check', noReason], refused), 1)
  t.match(refused.out(), /ruleset\.yaml:8:9 rule tor: acknowledge always_fires: a reason is required: say why this warning is accepted \(reason: "\.\.\."\)\n/)
  t.match(refused.out(), /1 error, 0 warnings: the rule set does not compile: it would be refused\n$/)
})

t.test('SQL-style conditions and misspelt names: what to write, at file:line:col', async (t) => {
  const dir = t.testdir({ 'ruleset.yaml': HEAD + 'rules:\n  - id: risky\n    when: ip.country in ("NG", "GH") and amount > 100\n    score: 10\n  - id: geo\n    when: country == "TH"\n    score: 5\n' })
  const io = captureIo({ cwd: dir })
  t.equal(await runCli(['rules', 'check', dir], io), 1)
  t.match(io.out(), /ruleset\.yaml:5:25 rule risky: syntax error: a list is written in square brackets in CEL: write in \["NG", "GH"\] instead of in \("NG", "GH"\)\n/)
  t.match(io.out(), /ruleset\.yaml:5:38 rule risky: syntax error: CEL's "and" is &&: write && instead of and\n/)
  t.match(io.out(), /ruleset\.yaml:8:11 rule geo: type error: Unknown variable: country \(did you mean ip\.country, card\.country, billing\.country or shipping\.country\?\)\n/)
  t.match(io.out(), /3 errors, 0 warnings: the rule set does not compile/)
})

t.test('the folder comes from the argument, else RISKGATE_RULES_DIR, relative to the working directory', async (t) => {
  const dir = t.testdir({ mine: { 'ruleset.yaml': HEAD + 'rules:\n  - id: tor\n    when: ip.is_tor\n    score: 10\n' } })
  const byArg = captureIo({ cwd: dir })
  t.equal(await runCli(['rules', 'check', 'mine'], byArg), 0)
  t.match(byArg.out(), /1 rule, 0 velocity counters, 0 lists/)
  const byEnv = captureIo({ cwd: dir, env: { RISKGATE_RULES_DIR: 'mine' } })
  t.equal(await runCli(['rules', 'check'], byEnv), 0)
  t.match(byEnv.out(), /0 errors, 0 warnings: ok/)
})

t.test('compile errors are reported at file:line:col and fail the check', async (t) => {
  const dir = t.testdir({ 'ruleset.yaml': HEAD + 'rules:\n  - id: big\n    when: amount > "100"\n    score: 10\n  - id: vel\n    when: velocity.nope > 1\n    score: 5\n' })
  const io = captureIo({ cwd: dir })
  t.equal(await runCli(['rules', 'check', dir], io), 1)
  t.match(io.out(), /ruleset\.yaml:5:11 rule big: type error: no such overload: int > string/)
  t.match(io.out(), /ruleset\.yaml:8:20 rule vel: velocity\.nope is not declared under velocity:/)
  t.match(io.out(), /2 errors, 0 warnings: the rule set does not compile: it would be refused/)
})

t.test('a matches() pattern RE2 refuses is a compile error at the pattern', async (t) => {
  const dir = t.testdir({ 'ruleset.yaml': HEAD + 'rules:\n  - id: gift\n    when: description.matches("(gift)\\\\s\\\\1") || description.matches("(a+)+$")\n    score: 10\n' })
  const io = captureIo({ cwd: dir })
  t.equal(await runCli(['rules', 'check', dir], io), 1)
  t.match(io.out(), /ruleset\.yaml:5:31 rule gift: matches\(\): not an RE2 pattern: invalid escape sequence: `\\1`\n/)
  t.match(io.out(), /1 error, 0 warnings: the rule set does not compile: it would be refused/)
})

t.test('lint errors fail, warnings do not; --json gives the findings as data', async (t) => {
  const dir = t.testdir({
    'ruleset.yaml': HEAD + 'lists:\n  unused: lists/u.txt\nrules:\n  - id: thb\n    when: currency == "thb"\n    score: 10\n',
    lists: { 'u.txt': 'x\n' }
  })
  const io = captureIo({ cwd: dir })
  t.equal(await runCli(['rules', 'check', dir], io), 1)
  t.match(io.out(), /ruleset\.yaml:4:3 warning list unused is declared but no rule reads it \[unused_list\]/)
  t.match(io.out(), /ruleset\.yaml:7:11 error rule thb: can never fire: currency is compared with "thb"/)
  t.match(io.out(), /1 error, 1 warning: lint errors: it would be refused\n$/)

  const json = captureIo({ cwd: dir })
  t.equal(await runCli(['rules', 'check', dir, '--json'], json), 1)
  const parsed = JSON.parse(json.out()) as { ok: boolean, errors: unknown[], findings: Array<{ code: string, rule?: string, line: number }> }
  t.equal(parsed.ok, false)
  t.same(parsed.findings.map((f) => [f.code, f.rule, f.line]), [['unused_list', undefined, 4], ['never_fires', 'thb', 7]])
})

t.test('a missing folder is exit 3; a wrong option is exit 2', async (t) => {
  const io = captureIo({ cwd: rootDir })
  t.equal(await runCli(['rules', 'check', path.join(rootDir, 'no-such-rules')], io), 3)
  // the service's words for the same folder
  t.equal(io.err(), 'riskgate rules check: no-such-rules/ruleset.yaml:1:1 cannot read the rule set: file not found\n')
  const usage = captureIo({ cwd: rootDir })
  t.equal(await runCli(['rules', 'check', '--sloppy'], usage), 2)
  t.match(usage.err(), /Unknown option '--sloppy'[\s\S]*riskgate rules check --help/)
  const extra = captureIo({ cwd: rootDir })
  t.equal(await runCli(['rules', 'check', 'a', 'b'], extra), 2)
})

t.test('--help prints the usage', async (t) => {
  const io = captureIo({ cwd: rootDir })
  t.equal(await runCli(['rules', 'check', '--help'], io), 0)
  t.match(io.out(), /^usage: riskgate rules check \[dir\] \[--strict\] \[--json\]/)
  t.match(io.out(), /exit codes:/)
})
