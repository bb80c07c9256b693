import t from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { formatTerminalReport } from '../../src/backtest/format-terminal.js'
import { renderHtmlReport } from '../../src/backtest/html-report.js'
import { prepareReplay } from '../../src/backtest/replay-ruleset.js'
import { runBacktest } from '../../src/backtest/run-backtest.js'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { actionFlagsOf, decideEngine1 } from '../../src/engine/decide.js'
import { ENGINE_VERSION } from '../../src/engine/engine-version.js'
import { evaluate } from '../../src/engine/evaluate.js'
import type { CompiledRuleSet } from '../../src/engine/ruleset.js'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { rootDir } from '../helpers/test-data.js'
import { generateCharges, recordDecisions, toNdjson } from '../helpers/recorded-decisions.js'
import type { Recording } from '../helpers/recorded-decisions.js'

const RULES = path.join(rootDir, 'rules')
const LISTS = {
  'blocked_emails.txt': readFileSync(path.join(RULES, 'lists', 'blocked_emails.txt'), 'utf8'),
  'trusted_customers.txt': readFileSync(path.join(RULES, 'lists', 'trusted_customers.txt'), 'utf8')
}
/** the default set with a review rule that often fires together with a blocking score */
const TEXT = readFileSync(path.join(RULES, 'ruleset.yaml'), 'utf8') + [
  '',
  '  - id: review_large',
  '    description: A large charge goes to review',
  '    when: amount >= 200000',
  '    action: review',
  ''
].join('\n')

/** what engine 1 recorded for the same charge: its precedence applied to the same evaluation */
function asEngine1 (record: DecisionRecord, ruleSet: CompiledRuleSet): DecisionRecord {
  const actions = actionFlagsOf(record.fired.map((id) => ({ action: ruleSet.rules.find((r) => r.id === id)?.action ?? null })))
  const old: DecisionRecord = { ...record, decision: decideEngine1(ruleSet.thresholds, record.score, actions) }
  delete old.engine
  return old
}

// one recording (deterministic: seeded charges, a fixed clock) shared by every test of the file
let shared: { recording: Recording, ruleSet: CompiledRuleSet } | undefined
t.before(async () => {
  const dir = t.testdir({ 'ruleset.yaml': TEXT, lists: LISTS })
  shared = { recording: await recordDecisions(t, generateCharges(1_500, 11), { rulesDir: dir }), ruleSet: await loadRuleSet(dir) }
})

function fixture (): { recording: Recording, ruleSet: CompiledRuleSet } {
  if (shared === undefined) throw new Error('no recording')
  return shared
}

t.test('records of engine 1 whose decision differs only because of the precedence change are counted and named', async (t) => {
  const { recording, ruleSet } = fixture()
  t.ok(recording.records.every((r) => r.engine === ENGINE_VERSION), 'records carry the engine version that decided')

  const old = recording.records.map((r) => asEngine1(r, ruleSet))
  const differing = old.filter((r, i) => r.decision !== recording.records[i]?.decision)
  t.ok(differing.length >= 3, `${differing.length} records were review (engine 1) and are block (engine 2)`)
  t.ok(differing.every((r) => r.decision === 'review' && r.score >= 80 && r.fired.includes('review_large')))

  const candidate = prepareReplay(ruleSet, TEXT, recording.hash)
  const run = async (records: DecisionRecord[]): ReturnType<typeof runBacktest> =>
    await runBacktest({ input: Readable.from([toNdjson(records)]), source: 'old.ndjson', candidate: { ruleSet: candidate, dir: 'rules/' } })

  // the same rules, recorded by engine 1: every difference is the precedence, none is a replay mismatch
  const report = await run(old)
  t.equal(report.precedence.engine, ENGINE_VERSION)
  t.equal(report.precedence.older_engine_records, old.length)
  t.equal(report.precedence.changed.count, differing.length)
  t.equal(report.changes.changed.count, differing.length)
  t.same(report.precedence.examples.map((e) => e.decision_id), differing.slice(0, 25).map((r) => r.decision_id))
  t.match(report.precedence.examples[0], { engine: 1, recorded: 'review', replayed: 'block', fired: Array })
  t.equal(report.fidelity.same_ruleset, old.length)
  t.equal(report.fidelity.reproduced, old.length - differing.length)
  t.equal(report.fidelity.precedence, differing.length)
  t.same(report.fidelity.mismatches, [])
  t.same(report.fidelity.differences, { warm_up: 0, counters: 0, other: 0 }, 'a precedence change is not a replay difference')
  t.equal(report.charges.sets.precedence?.total, differing.length, 'the HTML report links the count to a sample of those charges')
  t.ok(report.notes.some((n) => n.includes(`${differing.length} of them replay to another decision only because of the precedence change`)))

  const text = formatTerminalReport(report)
  t.match(text, new RegExp(`^precedence: [\\d,]+ records were decided by an engine older than version ${ENGINE_VERSION}; ${differing.length} of them replay to another decision only because of the precedence change`, 'm'))
  t.match(text, new RegExp(`^ {2}${differing[0]?.decision_id ?? ''}: recorded review, now block \\(score \\d+; .*review_large.*\\)$`, 'm'))
  t.match(text, new RegExp(`^ {2}${differing.length} replayed to the same score and rules with another decision only because of the precedence change`, 'm'))
  t.notMatch(text, /^ {2}differ:/m)
  const html = renderHtmlReport(report)
  t.match(html, /only because of the precedence change/)
  t.match(html, new RegExp(`<a href="#c\\d+" title="list these charges: records of an older engine[^"]*">${differing.length}</a> of them`))

  // records of this engine: nothing to say about precedence
  const current = await run(recording.records)
  t.equal(current.precedence.older_engine_records, 0)
  t.equal(current.precedence.changed.count, 0)
  t.equal(current.fidelity.reproduced, recording.records.length)
  t.notMatch(formatTerminalReport(current), /^precedence:/m)
})

t.test('with other rules, only the decisions engine 1 would have made as recorded count as precedence-only', async (t) => {
  const { recording, ruleSet } = fixture()
  const old = recording.records.map((r) => asEngine1(r, ruleSet))

  // the candidate blocks from 70 and no longer scores Tor: some decisions change because of the rules
  const candidateText = TEXT.replace('thresholds: { review: 50, block: 80 }', 'thresholds: { review: 50, block: 70 }')
    .replace(/ {2}- id: tor_exit\n(.+\n){3}/, '')
  const candidateDir = t.testdir({ 'ruleset.yaml': candidateText, lists: LISTS })
  const candidate = prepareReplay(await loadRuleSet(candidateDir), candidateText, recording.hash)
  const report = await runBacktest({ input: Readable.from([toNdjson(old)]), source: 'old.ndjson', candidate: { ruleSet: candidate } })

  let precedenceOnly = 0
  let changed = 0
  for (const r of old) {
    const evaluation = evaluate(candidate.replay, r.features)
    if (evaluation.decision === r.decision) continue
    changed++
    if (decideEngine1(candidate.replay.thresholds, evaluation.score, actionFlagsOf(evaluation.reasons)) === r.decision) precedenceOnly++
  }
  t.ok(precedenceOnly > 0 && changed > precedenceOnly, `${precedenceOnly} of ${changed} changes are the precedence alone`)
  t.equal(report.precedence.changed.count, precedenceOnly)
  t.equal(report.changes.changed.count, changed)
  t.equal(report.fidelity.same_ruleset, 0)
})

t.test('the threshold curve: a review action no longer keeps a charge out of a block by score', async (t) => {
  const { recording, ruleSet } = fixture()
  // every charge labelled fraud, the outcomes of charges blocked live counted: the curve at the
  // configured threshold is what the candidate blocks
  const labelled = recording.records.map((r) => ({ ...r, outcome: { label: 'fraud' as const, at: r.at, source: 'api' as const } }))
  const report = await runBacktest({ input: Readable.from([toNdjson(labelled)]), source: 'x', candidate: { ruleSet: prepareReplay(ruleSet, TEXT, recording.hash) }, countBlockedOutcomes: true })
  const blocked = labelled.filter((r) => r.decision === 'block').length
  t.ok(labelled.some((r) => r.decision === 'block' && r.fired.includes('review_large')), 'some blocks fired the review rule')
  t.equal(report.candidate.metrics.fraud_caught.count, blocked)
  t.equal(report.candidate.curve?.[80]?.fraud_caught, blocked)
})
