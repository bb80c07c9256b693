import type { Decision } from '../schemas/decision.js'
import type { ChargeRow } from './charge-samples.js'
import { formatMoney } from './money.js'
import type { Amounts, MoneyFormat } from './money.js'
import { moneyFormat } from './money-format.js'
import { blockedOutcomesNote, curveThresholds } from './report.js'
import type { BacktestReport, CurvePoint, RuleReport, SideReport } from './report.js'
import type { RuleRemoval } from './rule-removal.js'
import { DECISIONS } from './stats.js'
import type { Tally } from './stats.js'

const n = new Intl.NumberFormat('en-US')

export function count (value: number): string {
  return n.format(value)
}

export function percent (value: number | null, digits = 1): string {
  return value === null ? '-' : `${(value * 100).toFixed(digits)}%`
}

/** `+3`, `-12`, `0` */
export function signed (value: number): string {
  return value > 0 ? `+${count(value)}` : count(value)
}

function share (part: number, whole: number): string {
  return whole === 0 ? '' : ` (${percent(part / whole)})`
}

export function table (rows: string[][], align: Array<'l' | 'r'> = []): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length) })
  return rows.map((row) => '  ' + row.map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
}

/** wraps a paragraph at `width` columns: the first line starts with `first`, the others with `rest` */
export function wrap (text: string, width = 100, first = '', rest = first): string[] {
  const lines: string[] = []
  let line = ''
  const indent = (): string => (lines.length === 0 ? first : rest)
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent().length + line.length + 1 + word.length > width) {
      lines.push(indent() + line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(indent() + line)
  return lines
}

export function describeSide (side: SideReport): string {
  if (side.ruleset === null) return 'the recorded decisions'
  const where = side.ruleset.dir === undefined ? '' : `${side.ruleset.dir} `
  return `${where}(version ${side.ruleset.version}, hash ${side.ruleset.hash.slice(0, 12)})`
}

/** the money format of a report: its rates, or per currency */
export function moneyOf (report: BacktestReport): MoneyFormat {
  return moneyFormat(report.rates)
}

/** how amounts are written, in words */
export function amountsLegend (report: BacktestReport, currencies: readonly string[]): string {
  if (report.rates !== null) {
    return `amounts in ${report.rates.base}, converted with the rates of ${report.rates.source}` +
      (report.rates.missing.length > 0 ? ` (${report.rates.missing.join(', ')}: no rate, shown apart)` : '')
  }
  return currencies.length <= 1
    ? `amounts in ${currencies[0] ?? 'minor units'}`
    : `amounts per currency, never added up (${currencies.join(', ')}; --rates <file> converts them into one); each figure shows its largest currency, "amounts by currency" has them all`
}

/** the currencies of the report, the most charged first */
export function reportCurrencies (report: BacktestReport): string[] {
  const totals: Amounts = {}
  for (const o of ['fraud', 'good', 'unlabelled'] as const) {
    for (const [c, v] of Object.entries(report.outcomes[o].amounts)) totals[c] = (totals[c] ?? 0) + v
  }
  return Object.entries(totals).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c)
}

function curveRows (curve: readonly CurvePoint[], configured: number | undefined): string[][] {
  return curveThresholds(configured).map((t) => {
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

/** the effect of removing a rule: decisions that change, net change of fraud caught and good blocked */
export function removalCells (w: RuleRemoval | null): [string, string, string] {
  if (w === null) return ['', '', '']
  return [count(w.changed.count), signed(w.fraud_caught_gained - w.fraud_caught_lost), signed(w.good_blocked_gained - w.good_blocked_lost)]
}

function ruleRows (candidate: readonly RuleReport[], current: SideReport, records: number, withRemoval: boolean): string[][] {
  const before = currentHits(current)
  return candidate.map((r) => [
    r.rule,
    count(r.hits.count),
    percent(records === 0 ? null : r.hits.count / records, 2),
    count(r.fraud),
    count(r.good),
    percent(r.precision),
    percent(r.recall),
    before(r.rule),
    ...(withRemoval ? removalCells(r.without) : [])
  ])
}

/** a charge's amount in its currency, and in the reporting currency when it has a rate: `THB 1,200.00 (USD 34.32)` */
export function chargeAmount (row: Pick<ChargeRow, 'currency' | 'amount'>, money: MoneyFormat): string {
  const own = formatMoney(row.currency, row.amount)
  if (money.base === null || money.base === row.currency) return own
  const converted = money.full({ [row.currency]: row.amount })
  return converted.endsWith('(no rate)') ? own : `${own} (${converted})`
}

/** one charge on a line: `ch_1  2026-10-01T10:00:00Z  THB 1,200.00  chargeback  current allow, candidate allow 35 [a, b]` */
export function chargeLine (row: ChargeRow, money: MoneyFormat): string {
  return `${row.charge_id}  ${row.at}  ${chargeAmount(row, money)}  ${row.outcome ?? '-'}  ` +
    `current ${row.current.decision}, candidate ${row.candidate.decision} ${row.candidate.score} [${row.candidate.fired.join(', ')}]`
}

/** per currency: decisions and the fraud figures of both sides, each currency on its own row */
export function currencyRows (report: BacktestReport, currencies: readonly string[]): string[][] {
  const { current, candidate } = report
  const m = (c: string, t: Tally): string => formatMoney(c, t.amounts[c] ?? 0)
  const pair = (c: string, pick: (s: SideReport) => Tally): string => `${m(c, pick(current))} -> ${m(c, pick(candidate))}`
  return currencies.map((c) => [
    c,
    pair(c, (s) => s.decisions.block),
    pair(c, (s) => s.decisions.review),
    pair(c, (s) => s.metrics.fraud_caught),
    pair(c, (s) => s.metrics.fraud_missed),
    pair(c, (s) => s.metrics.good_blocked)
  ])
}

export const CURRENCY_HEADER = ['currency', 'blocked', 'sent to review', 'fraud caught', 'fraud allowed', 'good blocked']

/** The backtest report for a terminal: what changes, what it catches, what it costs. */
export function formatTerminalReport (report: BacktestReport): string {
  const { current, candidate } = report
  const money = moneyOf(report)
  const amounts = money.short
  const currencies = reportCurrencies(report)
  const records = report.input.records
  const out: string[] = []
  const period = report.period.from === null ? '' : `, ${report.period.from.slice(0, 10)} to ${(report.period.to ?? '').slice(0, 10)}`
  out.push(`backtest: ${count(records)} recorded decisions from ${report.input.source}${period}` +
    (report.input.invalid > 0 ? `; ${count(report.input.invalid)} lines skipped (not decision records)` : ''))
  for (const s of report.input.invalid_samples.slice(0, 3)) out.push(`  line ${s.line}: ${s.error}`)
  if (report.filter.from !== null || report.filter.to !== null) {
    out.push(`period: ${report.filter.from ?? 'the first record'} to ${report.filter.to ?? 'the last record'}; ` +
      `${count(report.input.before_period)} earlier records only warm the velocity counters up, ${count(report.input.after_period)} later ones are ignored`)
  }
  const o = report.outcomes
  out.push(`outcomes: ${count(o.fraud.count)} fraud, ${count(o.good.count)} good, ${count(o.unlabelled.count)} without a usable outcome`)
  out.push(`current:   ${describeSide(current)}`)
  out.push(`candidate: ${describeSide(candidate)}`)
  if (report.recorded_rulesets.length > 0) {
    out.push(`recorded with: ${report.recorded_rulesets.slice(0, 5).map((r) => `${r.version} (${r.hash.slice(0, 12)}) x ${count(r.records)}`).join(', ')}` +
      (report.recorded_rulesets.length > 5 ? `, and ${report.recorded_rulesets.length - 5} more` : ''))
  }
  out.push(`${amountsLegend(report, currencies)}`)

  out.push('', 'decisions')
  out.push(...table([
    ['', 'current', '', 'candidate', '', 'change'],
    ...DECISIONS.map((d) => {
      const a = current.decisions[d]
      const b = candidate.decisions[d]
      const delta = b.count - a.count
      return [d, count(a.count) + share(a.count, records), amounts(a.amounts), count(b.count) + share(b.count, records), amounts(b.amounts), signed(delta)]
    })
  ], ['l', 'r', 'l', 'r', 'l', 'r']))

  out.push('', `decisions that change: ${count(report.changes.changed.count)}${share(report.changes.changed.count, records)}, ${amounts(report.changes.changed.amounts)} (rows: current, columns: candidate)`)
  out.push(...table([
    ['', ...DECISIONS.map((d) => `-> ${d}`)],
    ...DECISIONS.map((from: Decision) => [`${from} ->`, ...DECISIONS.map((to) => {
      const cell = report.changes.matrix[from][to]
      return cell.count === 0 ? '0' : `${count(cell.count)} ${amounts(cell.amounts)}${cell.by_outcome.fraud.count > 0 ? ` (fraud ${count(cell.by_outcome.fraud.count)})` : ''}`
    })])
  ], ['l', 'r', 'r', 'r']))

  const bias = blockedOutcomesNote(report.blocked_outcomes)
  if (bias !== null) out.push('', ...wrap(bias, 100, '!! ', '   '))

  const labelled = o.fraud.count + o.good.count
  if (labelled > 0) {
    out.push('', `fraud caught and good charges blocked (labelled charges only${report.blocked_outcomes.counted ? '' : ', those blocked live set aside'})`)
    const row = (label: string, pick: (s: SideReport) => Tally, whole: number): string[] =>
      [label, count(pick(current).count) + share(pick(current).count, whole), amounts(pick(current).amounts), count(pick(candidate).count) + share(pick(candidate).count, whole), amounts(pick(candidate).amounts)]
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

  const fa = report.fraud_allowed
  if (fa.total.count > 0) {
    const shown = fa.charges.slice(0, 10)
    out.push('', `fraud the candidate still allows: ${count(fa.total.count)}, ${money.full(fa.total.amounts)}` +
      ` (${shown.length < fa.total.count ? `the ${shown.length} ${fa.order === 'largest' ? 'largest' : 'latest'} of them; ` : ''}all in --json and --html)`)
    for (const row of shown) out.push(`  ${chargeLine(row, money)}`)
  }

  if (currencies.length > 1) {
    out.push('', 'amounts by currency (current -> candidate)')
    out.push(...table([CURRENCY_HEADER, ...currencyRows(report, currencies)], ['l', 'r', 'r', 'r', 'r', 'r']))
  }

  const header = ['rule', 'hits', 'hit rate', 'fraud', 'good', 'precision', 'recall', 'current hits']
  const align: Array<'l' | 'r'> = ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']
  out.push('', 'rules (candidate, live); without it: the decisions that change and the change of fraud caught and good charges blocked if the rule were removed')
  out.push(...table([[...header, 'without: changes', 'fraud caught', 'good blocked'], ...ruleRows(candidate.rules, current, records, true)], align))
  if (candidate.shadow_rules.length > 0) {
    out.push('', 'rules (candidate, shadow)')
    out.push(...table([header, ...ruleRows(candidate.shadow_rules, current, records, false)], align))
  }

  if (candidate.curve !== null && labelled > 0) {
    out.push('', 'block threshold (candidate): fraud caught / good charges blocked')
    out.push(...table([['threshold', 'fraud caught', 'good blocked'], ...curveRows(candidate.curve, candidate.thresholds?.block)], ['l', 'r', 'r']))
  }

  const v = report.velocity
  const st = v.store
  out.push('', `velocity: ${st.counters.length} counters of the ${st.sides.join(' and ')} recounted from the records; ${count(st.entities)} entities held at the end` +
    (st.forgotten > 0 ? `, ${count(st.forgotten)} forgotten at the memory bound` : ''))
  if (v.warm_up.records > 0) out.push(`  ${count(v.warm_up.records)} records before ${v.warm_up.until ?? ''} (warm-up): their counters miss the charges before the input`)
  if (report.degraded_velocity > 0) out.push(`  ${count(report.degraded_velocity)} records decided without velocity: replayed without it`)
  for (const u of v.unknown) out.push(`  velocity.${u.counter}: unknown for ${count(u.records)} records (no ${Object.keys(u.missing).join(', ')})`)

  for (const [name, f] of [['candidate', report.fidelity], ['current', report.current_fidelity]] as const) {
    if (f === null || f.same_ruleset === 0) continue
    out.push('', `replay check: ${count(f.same_ruleset)} records were decided with the ${name}'s exact rule set; ` +
      `${count(f.reproduced)} replayed to the same decision, score and rules (${percent(f.reproduced / f.same_ruleset, 2)})`)
    if (f.precedence > 0) out.push(`  ${count(f.precedence)} replayed to the same score and rules with another decision only because of the precedence change (below)`)
    const d = f.differences
    if (f.reproduced + f.precedence < f.same_ruleset) {
      out.push(`  differ: ${count(d.warm_up)} in the warm-up (counters missing history before the input), ${count(d.counters)} with recounted counters unlike the recorded ones, ${count(d.other)} with the same counters`)
    }
    if (f.counters.records > 0) {
      out.push(`  counters: identical to the recorded values on ${count(f.counters.identical)} of ${count(f.counters.records)} records${f.counters.warm_up > 0 ? ` (${count(f.counters.warm_up)} more differ in the warm-up only)` : ''}`)
    }
    for (const m of f.mismatches.slice(0, 5)) {
      const counters = Object.entries(m.counters).map(([counter, c]) => `${counter} ${c.recorded ?? '-'} -> ${c.replayed ?? '-'}`).join(', ')
      out.push(`  ${m.decision_id} (${m.reason}): recorded ${m.recorded}, replayed ${m.replayed}${counters === '' ? '' : `; ${counters}`}`)
    }
  }
  const p = report.precedence
  if (p.older_engine_records > 0) {
    out.push('', `precedence: ${count(p.older_engine_records)} records were decided by an engine older than version ${p.engine}; ` +
      `${count(p.changed.count)} of them replay to another decision only because of the precedence change (a review action no longer lowers a score at the block threshold)`)
    for (const e of p.examples.slice(0, 5)) out.push(`  ${e.decision_id}: recorded ${e.recorded}, now ${e.replayed} (score ${e.score}; ${e.fired.join(', ') || 'no rule'})`)
    if (p.changed.count > 5) out.push(`  and ${count(p.changed.count - Math.min(5, p.examples.length))} more (--json lists ${count(p.examples.length)})`)
  }
  out.push('', 'notes:')
  for (const note of report.notes) out.push(...wrap(note, 100, '  - ', '    '))
  return out.join('\n') + '\n'
}
