import t from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { prepareReplay } from '../../src/backtest/replay-ruleset.js'
import { runBacktest } from '../../src/backtest/run-backtest.js'
import { createSnapshotHash } from '../../src/decision-log/snapshot.js'
import { rootDir } from '../helpers/test-data.js'
import { generateCharges, recordDecisions, toNdjson } from '../helpers/recorded-decisions.js'

const RULES = path.join(rootDir, 'rules')
const TEXT = readFileSync(path.join(RULES, 'ruleset.yaml'), 'utf8')

t.test('replaying the live rule set over its own records reproduces every decision and score', async (t) => {
  const { records, ruleSet, hash } = await recordDecisions(t, generateCharges(3_000, 7))
  t.equal(records.length, 3_000)

  // the recording must exercise the rules, or reproducing it would prove little
  const fired = new Set(records.flatMap((r) => [...r.fired, ...r.shadow.fired]))
  for (const rule of ruleSet.rules) t.ok(fired.has(rule.id), `${rule.id} fired in the recording`)
  const decisions = new Set(records.map((r) => r.decision))
  t.same([...decisions].sort(), ['allow', 'block', 'review'])
  t.ok(records.some((r) => r.features.email?.address !== undefined && r.features.email.address.length === 22 && !r.features.email.address.includes('@')),
    'identifiers are recorded as keyed hashes')

  const report = await runBacktest({
    input: Readable.from([toNdjson(records)]),
    source: 'recording',
    candidate: { ruleSet: prepareReplay(ruleSet, TEXT, hash) }
  })
  t.equal(report.input.records, 3_000)
  t.equal(report.input.invalid, 0)
  t.equal(report.fidelity.same_ruleset, 3_000)
  t.equal(report.fidelity.reproduced, 3_000, 'same decision, score and fired rules for every record')
  t.same(report.fidelity.mismatches, [])
  t.equal(report.changes.changed.count, 0, 'no decision changes')
  for (const d of ['allow', 'review', 'block'] as const) {
    t.equal(report.changes.matrix[d][d].count, records.filter((r) => r.decision === d).length, `${d} stays ${d}`)
  }
  // the scores too: the histograms of both sides are identical
  t.same(report.candidate.score_histogram, report.current.score_histogram)
  const hits = (rules: typeof report.current.rules): Array<[string, number]> =>
    rules.filter((r) => r.hits.count > 0).map((r): [string, number] => [r.rule, r.hits.count]).sort((a, b) => (a[0] < b[0] ? -1 : 1))
  t.same(hits(report.candidate.rules), hits(report.current.rules), 'the same hits per rule')
})

t.test('without the recording key, hashed identifiers no longer match the lists: the replay notices', async (t) => {
  const { records, ruleSet } = await recordDecisions(t, generateCharges(1_500, 11))
  const blocked = records.filter((r) => r.fired.includes('blocked_email')).length
  t.ok(blocked > 0, 'the recording has blocked emails')
  const report = await runBacktest({
    input: Readable.from([toNdjson(records)]),
    source: 'recording',
    candidate: { ruleSet: prepareReplay(ruleSet, TEXT, createSnapshotHash('another-key-0123456789abcdef0123456789')) }
  })
  t.ok(report.fidelity.reproduced <= 1_500 - blocked, 'every blocked_email decision is lost')
  t.ok(report.fidelity.mismatches.length > 0)
  t.equal(report.candidate.rules.find((r) => r.rule === 'blocked_email')?.hits.count, 0)
})
