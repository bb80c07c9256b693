import t from 'tap'
import type { Test } from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { prepareReplay } from '../../src/backtest/replay-ruleset.js'
import type { ReplayRuleSet } from '../../src/backtest/replay-ruleset.js'
import { runBacktest } from '../../src/backtest/run-backtest.js'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { rootDir } from '../helpers/test-data.js'
import { generateCharges, recordDecisions, redecide, toNdjson } from '../helpers/recorded-decisions.js'
import type { Recording } from '../helpers/recorded-decisions.js'
import { naiveCounter } from '../helpers/naive-velocity.js'

const RULES = path.join(rootDir, 'rules')
const TEXT = readFileSync(path.join(RULES, 'ruleset.yaml'), 'utf8')
const LISTS = {
  'blocked_emails.txt': readFileSync(path.join(RULES, 'lists', 'blocked_emails.txt'), 'utf8'),
  'trusted_customers.txt': readFileSync(path.join(RULES, 'lists', 'trusted_customers.txt'), 'utf8')
}
const DAY = 86_400_000

// one recording for the file: 2,400 charges 45 s apart (30 hours), from an empty store
let recording: Recording | undefined
t.before(async () => { recording = await recordDecisions(t, generateCharges(2_400, 17)) })

function recorded (): Recording {
  if (recording === undefined) throw new Error('no recording')
  return recording
}

/** the default rule set with `counter` declared and a rule reading it */
async function candidateWith (t: Test, counter: string, declaration: string, when: string): Promise<ReplayRuleSet> {
  const text = TEXT
    .replace('version: "2026-12-05.1"', `version: "with-${counter}"`)
    .replace(/^( {2}amount_per_card_24h: .*\n)/m, `$1  ${counter}: ${declaration}\n`)
    .concat(`\n  - id: rule_on_${counter}\n    description: reads the new counter\n    when: ${when}\n    score: 5\n`)
  const dir = t.testdir({ 'ruleset.yaml': text, lists: LISTS })
  return prepareReplay(await loadRuleSet(dir), text, recorded().hash)
}

function input (records: readonly DecisionRecord[]): Readable {
  return Readable.from([toNdjson(records)])
}

t.test('a candidate with a new counter and a rule on it gets the hits a naive recount of the records gives', async (t) => {
  const { records } = recorded()
  const cases = [
    { counter: 'cards_per_ip_10m', declaration: '{ distinct: card.fingerprint, by: ip, window: 10m }', threshold: 3 },
    { counter: 'charges_per_ip_10m', declaration: '{ count: charges, by: ip, window: 10m }', threshold: 4 },
    { counter: 'amount_per_card_2h', declaration: '{ sum: amount, by: card.fingerprint, window: 2h }', threshold: 300_000 },
    { counter: 'emails_per_bin_ip_30m', declaration: '{ distinct: email, by: [card.bin, ip], window: 30m }', threshold: 2 }
  ]
  for (const c of cases) {
    const candidate = await candidateWith(t, c.counter, c.declaration, `velocity.${c.counter} >= ${c.threshold}`)
    const spec = candidate.original.velocity.find((s) => s.name === c.counter)
    if (spec === undefined) throw new Error('not declared')
    const naive = naiveCounter(records.map((r) => ({ atMs: Date.parse(r.at), features: r.features })), spec)
    const want = naive.filter((v) => v !== undefined && v >= c.threshold).length
    const report = await runBacktest({ input: input(records), source: 'recording', candidate: { ruleSet: candidate } })
    const rule = report.candidate.rules.find((r) => r.rule === `rule_on_${c.counter}`)
    t.ok(want > 0 && want < records.length, `${c.counter}: the recording makes it fire sometimes (${want})`)
    t.equal(rule?.hits.count, want, `${c.counter}: hits as recounted naively`)
    t.notOk(report.notes.some((n) => n.includes(c.counter) && /unknown/.test(n) && !/no /.test(n)), 'never said to be undeclared')
  }
})

t.test('the live rule set over its own records: every counter recounted to its recorded value, every decision reproduced', async (t) => {
  const { records, ruleSet, hash } = recorded()
  const report = await runBacktest({ input: input(records), source: 'recording', candidate: { ruleSet: prepareReplay(ruleSet, TEXT, hash) } })
  t.equal(report.fidelity.same_ruleset, records.length)
  t.equal(report.fidelity.reproduced, records.length)
  t.same(report.fidelity.counters, { records: records.length, identical: records.length, warm_up: 0 })
  t.same(report.fidelity.differences, { warm_up: 0, counters: 0, other: 0 })
  t.equal(report.velocity.warm_up.until, new Date(Date.parse(records[0]?.at ?? '') + DAY).toISOString())
  t.ok(report.velocity.warm_up.records > 0, 'the first day is the warm-up (it reproduces here: the recording started from an empty store)')
})

t.test('an export that starts after the first charges: the warm-up differs and is said so; --from leaves it out of the report', async (t) => {
  const { records, ruleSet, hash } = recorded()
  const replay = prepareReplay(ruleSet, TEXT, hash)
  const late = records.slice(200)
  const start = Date.parse(late[0]?.at ?? '')
  const report = await runBacktest({ input: input(late), source: 'late export', candidate: { ruleSet: replay } })
  const f = report.fidelity
  t.ok(f.reproduced < late.length, 'some decisions of the first day differ: their counters miss the charges before the export')
  t.same(f.differences, { warm_up: late.length - f.reproduced, counters: 0, other: 0 }, 'every difference is a warm-up difference')
  const atOf = new Map(late.map((r) => [r.decision_id, Date.parse(r.at)]))
  t.ok(f.mismatches.length > 0 && f.mismatches.every((m) => m.reason === 'warm_up' && (atOf.get(m.decision_id) ?? Infinity) < start + DAY),
    'the records that differ are within a day of the first one')
  t.ok(f.mismatches.every((m) => Object.values(m.counters).every((c) => (c.replayed ?? 0) < (c.recorded ?? 0))), 'a warm-up counter reads lower than live')
  t.ok(report.notes.some((n) => /within 24 hours \(the candidate's longest window\) of the first record/.test(n)))

  const from = new Date(start + DAY)
  const warmedUp = await runBacktest({ input: input(late), source: 'late export', candidate: { ruleSet: replay }, range: { from } })
  const after = late.filter((r) => Date.parse(r.at) >= from.getTime())
  t.equal(warmedUp.input.records, after.length)
  t.equal(warmedUp.input.before_period, late.length - after.length)
  t.equal(warmedUp.fidelity.reproduced, after.length, 'after a full day of warm-up every decision is reproduced')
  t.equal(warmedUp.velocity.warm_up.records, 0)
  t.equal(warmedUp.filter.from, from.toISOString())
  t.equal(warmedUp.period.from, after[0]?.at)

  const to = new Date(start + DAY + 3_600_000)
  const hour = await runBacktest({ input: input(late), source: 'late export', candidate: { ruleSet: replay }, range: { from, to } })
  t.equal(hour.input.records, after.filter((r) => Date.parse(r.at) < to.getTime()).length)
  t.equal(hour.input.after_period, late.filter((r) => Date.parse(r.at) >= to.getTime()).length)
  t.equal(hour.fidelity.reproduced, hour.input.records)
})

t.test('records decided while the velocity store was down', async (t) => {
  const { records, ruleSet, hash } = recorded()
  const replay = prepareReplay(ruleSet, TEXT, hash)
  const outages = new Set(Array.from({ length: 60 }, (_, i) => 300 + i * 31))
  const cases = [
    {
      name: 'the store did not take them: replayed without velocity and not counted, as live; all reproduced',
      countOutages: false,
      check: (t: Test, report: Awaited<ReturnType<typeof runBacktest>>) => {
        t.equal(report.fidelity.reproduced, records.length)
        t.same(report.fidelity.counters, { records: records.length - outages.size, identical: records.length - outages.size, warm_up: 0 })
      }
    },
    {
      name: 'the store took them but the answer was lost: later counters read one lower than live, and those records are reported apart',
      countOutages: true,
      check: (t: Test, report: Awaited<ReturnType<typeof runBacktest>>) => {
        const f = report.fidelity
        t.ok(f.counters.identical < f.counters.records, 'some recounted counters differ')
        t.equal(f.differences.other, 0, 'no unexplained difference')
        t.equal(f.differences.warm_up + f.differences.counters, records.length - f.reproduced)
        t.ok(f.mismatches.every((m) => Object.values(m.counters).every((c) => (c.replayed ?? 0) <= (c.recorded ?? 0))))
      }
    }
  ]
  for (const c of cases) {
    t.test(c.name, async (t) => {
      const decided = redecide(records, replay.replay, { outages, countOutages: c.countOutages })
      const report = await runBacktest({ input: input(decided), source: 'with outages', candidate: { ruleSet: replay } })
      t.equal(report.degraded_velocity, outages.size)
      t.ok(report.notes.some((n) => /60 records were decided while the velocity store was unavailable/.test(n)))
      c.check(t, report)
    })
  }
})

t.test('records out of time order are counted in the order read, and said so', async (t) => {
  const { records, ruleSet, hash } = recorded()
  const shuffled = [...records.slice(0, 100), ...records.slice(150, 200), ...records.slice(100, 150)]
  const report = await runBacktest({ input: input(shuffled), source: 'shuffled', candidate: { ruleSet: prepareReplay(ruleSet, TEXT, hash) } })
  t.equal(report.input.out_of_order, 50)
  t.ok(report.notes.some((n) => /50 records are older than a record before them/.test(n)))
})

t.test('a counter unknown for lack of its key says which key, never that it was not declared', async (t) => {
  const { records, ruleSet, hash } = recorded()
  const report = await runBacktest({ input: input(records), source: 'recording', candidate: { ruleSet: prepareReplay(ruleSet, TEXT, hash) } })
  const noEmail = records.filter((r) => r.features.email?.address === undefined).length
  t.ok(noEmail > 0)
  t.same(report.velocity.unknown.find((u) => u.counter === 'charges_per_email_24h'), { counter: 'charges_per_email_24h', records: noEmail, missing: { 'email.address': noEmail } })
  t.ok(report.notes.some((n) => n.startsWith(`velocity.charges_per_email_24h and velocity.cards_per_email_24h are unknown for ${noEmail.toLocaleString('en-US')} records: they have no email.address`)))
  t.notOk(report.notes.some((n) => /not declared/.test(n)))
})
