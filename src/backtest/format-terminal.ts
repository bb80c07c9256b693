import type { Decision } from '../schemas/decision.js'
import { formatAmountsShort as formatAmounts } from './money.js'
import type { BacktestReport, CurvePoint, RuleReport, SideReport } from './report.js'
import { DECISIONS } from './stats.js'
import type { Tally } from './stats.js'

const n = new Intl.NumberFormat('en-US')

export function count (value: number): string {
  return n.format(value)
}

export function percent (value: number | null, digits = 1): string {
  return value === null ? '-' : `${(value * 100).toFixed(digits)}%`
}

function share (part: number, whole: number): string {
  return whole === 0 ? '' : ` (${percent(part / whole)})`
}

export function table (rows: string[][], align: Array<'l' | 'r'> = []): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length) })
  return rows.map((row) => '  ' + row.map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
}

export function describeSide (side: SideReport): string {
  if (side.ruleset === null) return 'the recorded decisions'
  const where = side.ruleset.dir === undefined ? '' : `${side.ruleset.dir} `
  return `${where}(version ${side.ruleset.version}, hash ${side.ruleset.hash.slice(0, 12)})`
}

function curveRows (curve: readonly CurvePoint[], configured: number | undefined): string[][] {
  const thresholds = [...new Set([30, 40, 50, 60, 70, 80, 90, 100, ...(configured === undefined ? [] : [configured])])].sort((a, b) => a - b)
  return thresholds.map((t) => {
    const p = curve[t] as CurvePoint
    return [`${t}${t === configured ? ' (configured)' : ''}`, `${count(p.fraud_caught)} (${percent(p.fraud_rate)})`, `${count(p.good_blocked)} (${percent(p.good_rate)})`]
  })
}

/** A rule's hits on the current side, as a label: `12`, `3 (shadow)` or `0` when it is new. */
export function currentHits (current: SideReport): (rule: string) => string {
  const live = new Map(current.rules.map((r) => [r.rule, r.hits.count]))
  const shadow = new Map(current.shadow_rules.map((r) => [r.rule, r.hits.count]))
  return (rule) => {
    const hits = live.get(rule)
    if (hits !== undefined) return count(hits)
    const shadowHits = shadow.get(rule)
    return shadowHits === undefined ? '0' : `${count(shadowHits)} (shadow)`
  }
}

function ruleRows (candidate: readonly RuleReport[], current: SideReport, records: number): string[][] {
  const before = currentHits(current)
  return candidate.map((r) => [
    r.rule,
    count(r.hits.count),
    percent(records === 0 ? null : r.hits.count / records, 2),
    count(r.fraud),
    count(r.good),
    percent(r.precision),
    percent(r.recall),
    before(r.rule)
  ])
}

/** The backtest report for a terminal: what changes, what it catches, what it costs. */
export function formatTerminalReport (report: BacktestReport): string {
  const { current, candidate } = report
  const records = report.input.records
  const out: string[] = []
  const period = report.period.from === null ? '' : `, ${report.period.from.slice(0, 10)} to ${(report.period.to ?? '').slice(0, 10)}`
  out.push(`backtest: ${count(records)} recorded decisions from ${report.input.source}${period}` +
    (report.input.invalid > 0 ? `; ${count(report.input.invalid)} lines skipped (not decision records)` : ''))
  for (const s of report.input.invalid_samples.slice(0, 3)) out.push(`  line ${s.line}: ${s.error}`)
  const o = report.outcomes
  out.push(`outcomes: ${count(o.fraud.count)} fraud, ${count(o.good.count)} good, ${count(o.unlabelled.count)} without a usable outcome`)
  out.push(`current:   ${describeSide(current)}`)
  out.push(`candidate: ${describeSide(candidate)}`)
  if (report.recorded_rulesets.length > 0) {
    out.push(`recorded with: ${report.recorded_rulesets.slice(0, 5).map((r) => `${r.version} (${r.hash.slice(0, 12)}) x ${count(r.records)}`).join(', ')}` +
      (report.recorded_rulesets.length > 5 ? `, and ${report.recorded_rulesets.length - 5} more` : ''))
  }

  out.push('', 'decisions')
  out.push(...table([
    ['', 'current', '', 'candidate', '', 'change'],
    ...DECISIONS.map((d) => {
      const a = current.decisions[d]
      const b = candidate.decisions[d]
      const delta = b.count - a.count
      return [d, count(a.count) + share(a.count, records), formatAmounts(a.amounts), count(b.count) + share(b.count, records), formatAmounts(b.amounts), `${delta > 0 ? '+' : ''}${count(delta)}`]
    })
  ], ['l', 'r', 'l', 'r', 'l', 'r']))

  out.push('', `decisions that change: ${count(report.changes.changed.count)}${share(report.changes.changed.count, records)}, ${formatAmounts(report.changes.changed.amounts)} (rows: current, columns: candidate)`)
  out.push('  amounts: the largest currency of each cell (every currency in --json and --html)')
  out.push(...table([
    ['', ...DECISIONS.map((d) => `-> ${d}`)],
    ...DECISIONS.map((from: Decision) => [`${from} ->`, ...DECISIONS.map((to) => {
      const cell = report.changes.matrix[from][to]
      return cell.count === 0 ? '0' : `${count(cell.count)} ${formatAmounts(cell.amounts)}${cell.by_outcome.fraud.count > 0 ? ` (fraud ${count(cell.by_outcome.fraud.count)})` : ''}`
    })])
  ], ['l', 'r', 'r', 'r']))

  const labelled = o.fraud.count + o.good.count
  if (labelled > 0) {
    out.push('', 'fraud caught and good charges blocked (labelled charges only)')
    const row = (label: string, pick: (s: SideReport) => Tally, whole: number): string[] =>
      [label, count(pick(current).count) + share(pick(current).count, whole), formatAmounts(pick(current).amounts), count(pick(candidate).count) + share(pick(candidate).count, whole), formatAmounts(pick(candidate).amounts)]
    out.push(...table([
      ['', 'current', '', 'candidate', ''],
      row('fraud caught (blocked)', (s) => s.metrics.fraud_caught, o.fraud.count),
      row('fraud sent to review', (s) => s.metrics.fraud_reviewed, o.fraud.count),
      row('fraud missed (allowed)', (s) => s.metrics.fraud_missed, o.fraud.count),
      row('good charges blocked', (s) => s.metrics.good_blocked, o.good.count),
      row('good sent to review', (s) => s.metrics.good_reviewed, o.good.count),
      ['precision (blocked that were fraud)', percent(current.metrics.precision), '', percent(candidate.metrics.precision), ''],
      ['recall (fraud that was blocked)', percent(current.metrics.recall), '', percent(candidate.metrics.recall), '']
    ], ['l', 'r', 'l', 'r', 'l']))
  } else {
    out.push('', 'no outcomes in these records: fraud caught, precision and recall need labelled decisions (POST /v1/decisions/:id/outcome, a gateway webhook, or `riskgate outcomes import`)')
  }

  out.push('', 'rules (candidate, live)')
  out.push(...table([['rule', 'hits', 'hit rate', 'fraud', 'good', 'precision', 'recall', 'current hits'], ...ruleRows(candidate.rules, current, records)],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']))
  if (candidate.shadow_rules.length > 0) {
    out.push('', 'rules (candidate, shadow)')
    out.push(...table([['rule', 'hits', 'hit rate', 'fraud', 'good', 'precision', 'recall', 'current hits'], ...ruleRows(candidate.shadow_rules, current, records)],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']))
  }

  if (candidate.curve !== null && labelled > 0) {
    out.push('', 'block threshold (candidate): fraud caught / good charges blocked')
    out.push(...table([['threshold', 'fraud caught', 'good blocked'], ...curveRows(candidate.curve, candidate.thresholds?.block)], ['l', 'r', 'r']))
  }

  const f = report.fidelity
  if (f.same_ruleset > 0) {
    out.push('', `replay check: ${count(f.same_ruleset)} records were decided with the candidate's exact rule set; ` +
      `${count(f.reproduced)} replayed to the same decision, score and rules (${percent(f.reproduced / f.same_ruleset, 2)})`)
    if (f.precedence > 0) out.push(`  ${count(f.precedence)} replayed to the same score and rules with another decision only because of the precedence change (below)`)
    for (const m of f.mismatches.slice(0, 5)) out.push(`  ${m.decision_id}: recorded ${m.recorded}, replayed ${m.replayed}`)
  }
  const p = report.precedence
  if (p.older_engine_records > 0) {
    out.push('', `precedence: ${count(p.older_engine_records)} records were decided by an engine older than version ${p.engine}; ` +
      `${count(p.changed.count)} of them replay to another decision only because of the precedence change (a review action no longer lowers a score at the block threshold)`)
    for (const e of p.examples.slice(0, 5)) out.push(`  ${e.decision_id}: recorded ${e.recorded}, now ${e.replayed} (score ${e.score}; ${e.fired.join(', ') || 'no rule'})`)
    if (p.changed.count > 5) out.push(`  and ${count(p.changed.count - Math.min(5, p.examples.length))} more (--json lists ${count(p.examples.length)})`)
  }
  out.push('', 'notes:')
  for (const note of report.notes) out.push(`  - ${note}`)
  return out.join('\n') + '\n'
}
