import type { Decision } from '../schemas/decision.js'
import { count, currentHits, describeSide, percent } from './format-terminal.js'
import { formatAmounts } from './money.js'
import { OUTCOME_CLASSES } from './outcome.js'
import type { OutcomeClass } from './outcome.js'
import type { BacktestReport, CurvePoint, RuleReport, SideReport } from './report.js'
import { DECISIONS } from './stats.js'
import type { Tally } from './stats.js'
import { barChart, curveChart, escapeHtml, inlineBar } from './svg.js'
import type { LineSeries, Marker } from './svg.js'

const COLORS = { current: '#8a8f98', candidate: '#2f6fdf', fraud: '#d64545', good: '#3a9a5b', unlabelled: '#b8b8b8' } as const
const BIN = 5
const compact = new Intl.NumberFormat('en-US', { notation: 'compact' })

const CSS = `
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #1d1d1f; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eee; text-align: right; vertical-align: middle; }
th:first-child, td:first-child { text-align: left; }
th { background: #f6f6f6; font-weight: 600; }
td.changed { background: #fff3d6; } td.same { color: #777; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { border: 1px solid #e2e2e2; border-radius: 6px; padding: 10px 14px; min-width: 150px; }
.card b { display: block; font-size: 20px; }
.muted { color: #666; font-size: 12px; } .charts { display: flex; gap: 16px; flex-wrap: wrap; }
code { background: #f3f3f3; padding: 1px 4px; border-radius: 3px; }
`

function esc (text: string | number): string {
  return escapeHtml(String(text))
}

function tallyCell (t: Tally): string {
  return `${esc(count(t.count))}<br><span class="muted">${esc(formatAmounts(t.amounts))}</span>`
}

function card (label: string, value: string, note = ''): string {
  return `<div class="card"><span class="muted">${esc(label)}</span><b>${esc(value)}</b><span class="muted">${esc(note)}</span></div>`
}

function histogram (side: SideReport, outcomes: readonly OutcomeClass[]): string {
  const labels: string[] = []
  for (let b = 0; b <= 100; b += BIN) labels.push(String(b))
  const series = outcomes.map((o) => {
    const bins = side.score_histogram[o]
    const total = bins.reduce((a, b) => a + b, 0)
    const values = labels.map((_, i) => {
      let sum = 0
      for (let s = i * BIN; s < Math.min(101, (i + 1) * BIN); s++) sum += bins[s] ?? 0
      return total === 0 ? 0 : sum / total
    })
    return { name: `${o} (${count(total)})`, color: COLORS[o], values }
  })
  return barChart({ title: `Score distribution by outcome: ${side.label} (share of each outcome)`, labels, series, format: (v) => `${Math.round(v * 100)}%`, width: 540 })
}

function curvePoints (curve: readonly CurvePoint[]): LineSeries['points'] {
  return curve.filter((p) => p.fraud_rate !== null && p.good_rate !== null).map((p) => ({
    x: p.good_rate as number,
    y: p.fraud_rate as number,
    ...(p.threshold % 10 === 0 && p.threshold > 0 ? { label: String(p.threshold) } : {})
  }))
}

function thresholdSection (report: BacktestReport): string {
  const { current, candidate } = report
  if (report.outcomes.fraud.count === 0 || report.outcomes.good.count === 0) {
    return '<p class="muted">A threshold curve needs both fraud and good outcomes in the records.</p>'
  }
  const series: LineSeries[] = []
  if (candidate.curve !== null) series.push({ name: 'candidate', color: COLORS.candidate, points: curvePoints(candidate.curve) })
  if (current.curve !== null) series.push({ name: 'current', color: COLORS.current, points: curvePoints(current.curve) })
  const markers: Marker[] = []
  const point = (side: SideReport): { x: number, y: number } | undefined => {
    const x = side.metrics.good_blocked.count / report.outcomes.good.count
    const y = side.metrics.recall
    return y === null ? undefined : { x, y }
  }
  const c = point(current)
  if (c !== undefined) markers.push({ name: 'current decisions', color: '#000', ...c })
  const k = point(candidate)
  if (k !== undefined) markers.push({ name: 'candidate as configured', color: COLORS.candidate, ...k })
  // zoom on where decisions are made: a few times the good charges blocked by either side
  const widest = Math.max(0.001, ...markers.map((m) => m.x))
  const xMax = [0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1].find((v) => v >= widest * 4) ?? 1
  const chart = curveChart({
    title: 'Fraud caught vs good charges blocked, by block threshold',
    xMax,
    xLabel: 'good charges blocked (share of good)',
    yLabel: 'fraud caught (share of fraud)',
    series,
    markers
  })
  const rows = candidate.curve === null
    ? ''
    : [30, 40, 50, 60, 70, 80, 90, 100].map((t) => {
        const p = candidate.curve?.[t] as CurvePoint
        const configured = t === candidate.thresholds?.block ? ' (configured)' : ''
        return `<tr><td>${t}${configured}</td><td>${esc(count(p.fraud_caught))} (${esc(percent(p.fraud_rate))})</td><td class="muted">${esc(formatAmounts(p.fraud_amounts))}</td>` +
          `<td>${esc(count(p.good_blocked))} (${esc(percent(p.good_rate))})</td><td class="muted">${esc(formatAmounts(p.good_amounts))}</td></tr>`
      }).join('')
  const table = rows === '' ? '' : `<table><tr><th>block threshold</th><th>fraud caught</th><th></th><th>good blocked</th><th></th></tr>${rows}</table>`
  return `<div class="charts">${chart}<div><p class="muted">Each point is a block threshold of the candidate (charges an allow or block action decided stay as decided; the others, review actions included, are blocked when their score reaches the threshold). Circles: the operating points of the decisions.</p>${table}</div></div>`
}

function ruleTable (rules: readonly RuleReport[], current: SideReport, records: number): string {
  const before = currentHits(current)
  const maxHits = Math.max(1, ...rules.map((r) => r.hits.count))
  const rows = rules.map((r) => `<tr><td><code>${esc(r.rule)}</code></td>` +
    `<td>${esc(count(r.hits.count))}</td><td>${inlineBar(r.hits.count / maxHits, COLORS.candidate)}</td>` +
    `<td>${esc(percent(records === 0 ? null : r.hits.count / records, 2))}</td>` +
    `<td>${esc(count(r.fraud))}</td><td>${esc(count(r.good))}</td>` +
    `<td>${esc(percent(r.precision))}</td><td>${r.precision === null ? '' : inlineBar(r.precision, COLORS.fraud, 80)}</td>` +
    `<td>${esc(percent(r.recall))}</td><td>${esc(before(r.rule))}</td></tr>`).join('')
  return `<table><tr><th>rule</th><th>hits</th><th></th><th>hit rate</th><th>fraud</th><th>good</th><th>precision</th><th></th><th>recall</th><th>current hits</th></tr>${rows}</table>`
}

function matrix (report: BacktestReport): string {
  const head = `<tr><th>current \\ candidate</th>${DECISIONS.map((d) => `<th>${d}</th>`).join('')}<th>total</th></tr>`
  const rows = DECISIONS.map((from: Decision) => {
    const cells = DECISIONS.map((to) => {
      const cell = report.changes.matrix[from][to]
      const fraud = cell.by_outcome.fraud.count > 0 ? `<br><span class="muted">fraud ${esc(count(cell.by_outcome.fraud.count))}, good ${esc(count(cell.by_outcome.good.count))}</span>` : ''
      return `<td class="${from === to ? 'same' : cell.count > 0 ? 'changed' : ''}">${tallyCell(cell)}${fraud}</td>`
    }).join('')
    return `<tr><th>${from}</th>${cells}<td>${tallyCell(report.current.decisions[from])}</td></tr>`
  }).join('')
  return `<table>${head}${rows}</table>`
}

function metricsTable (report: BacktestReport): string {
  const { current, candidate, outcomes } = report
  const row = (label: string, pick: (s: SideReport) => Tally, whole: number): string =>
    `<tr><td>${esc(label)}</td><td>${tallyCell(pick(current))} ${esc(whole === 0 ? '' : `(${percent(pick(current).count / whole)})`)}</td>` +
    `<td>${tallyCell(pick(candidate))} ${esc(whole === 0 ? '' : `(${percent(pick(candidate).count / whole)})`)}</td></tr>`
  return '<table><tr><th></th><th>current</th><th>candidate</th></tr>' +
    row('fraud caught (blocked)', (s) => s.metrics.fraud_caught, outcomes.fraud.count) +
    row('fraud sent to review', (s) => s.metrics.fraud_reviewed, outcomes.fraud.count) +
    row('fraud missed (allowed)', (s) => s.metrics.fraud_missed, outcomes.fraud.count) +
    row('good charges blocked', (s) => s.metrics.good_blocked, outcomes.good.count) +
    row('good charges sent to review', (s) => s.metrics.good_reviewed, outcomes.good.count) +
    `<tr><td>precision (blocked that were fraud)</td><td>${esc(percent(current.metrics.precision))}</td><td>${esc(percent(candidate.metrics.precision))}</td></tr>` +
    `<tr><td>recall (fraud that was blocked)</td><td>${esc(percent(current.metrics.recall))}</td><td>${esc(percent(candidate.metrics.recall))}</td></tr></table>`
}

function examples (report: BacktestReport): string {
  if (report.changes.examples.length === 0) return '<p class="muted">No decision changes.</p>'
  const rows = report.changes.examples.map((e) => `<tr><td><code>${esc(e.charge_id)}</code><br><span class="muted">${esc(e.at)}</span></td>` +
    `<td>${esc(formatAmounts({ [e.currency]: e.amount }))}</td><td>${esc(e.outcome)}</td>` +
    `<td>${esc(e.current.decision)} ${esc(e.current.score)}<br><span class="muted">${esc(e.current.fired.join(', ') || 'none')}</span></td>` +
    `<td>${esc(e.candidate.decision)} ${esc(e.candidate.score)}<br><span class="muted">${esc(e.candidate.fired.join(', ') || 'none')}</span></td></tr>`).join('')
  return `<table><tr><th>charge</th><th>amount</th><th>outcome</th><th>current</th><th>candidate</th></tr>${rows}</table>`
}

function precedence (report: BacktestReport): string {
  const p = report.precedence
  if (p.older_engine_records === 0) return ''
  const head = `<p>${esc(count(p.older_engine_records))} records were decided by an engine older than version ${esc(p.engine)}; ` +
    `${esc(count(p.changed.count))} of them (${esc(formatAmounts(p.changed.amounts))}) replay to another decision only because of the precedence change ` +
    '(a review action no longer lowers a score at the block threshold: rules/README.md, "Precedence").</p>'
  if (p.examples.length === 0) return head
  const rows = p.examples.map((e) => `<tr><td><code>${esc(e.decision_id)}</code><br><span class="muted">${esc(e.charge_id)} · ${esc(e.at)}</span></td>` +
    `<td>${esc(formatAmounts({ [e.currency]: e.amount }))}</td><td>${esc(e.recorded)} (engine ${esc(e.engine)})</td>` +
    `<td>${esc(e.replayed)} ${esc(e.score)}<br><span class="muted">${esc(e.fired.join(', ') || 'none')}</span></td></tr>`).join('')
  return `${head}<table><tr><th>decision</th><th>amount</th><th>recorded</th><th>candidate</th></tr>${rows}</table>`
}

/**
 * The backtest as one self-contained HTML file: inline CSS and SVG, no script, no external asset,
 * so it can be attached to a pull request or mailed. Every value from the records is escaped.
 */
export function renderHtmlReport (report: BacktestReport): string {
  const { current, candidate, outcomes } = report
  const records = report.input.records
  const labelled = outcomes.fraud.count + outcomes.good.count
  const decisionsChart = barChart({
    title: 'Decisions before and after',
    labels: [...DECISIONS],
    series: [
      { name: 'current', color: COLORS.current, values: DECISIONS.map((d) => current.decisions[d].count) },
      { name: 'candidate', color: COLORS.candidate, values: DECISIONS.map((d) => candidate.decisions[d].count) }
    ],
    format: (v) => compact.format(v),
    width: 420
  })
  const shownOutcomes = OUTCOME_CLASSES.filter((o) => outcomes[o].count > 0)
  const fidelity = report.fidelity.same_ruleset === 0
    ? ''
    : `<p>Replay check: ${esc(count(report.fidelity.same_ruleset))} records were decided with the candidate's exact rule set; ${esc(count(report.fidelity.reproduced))} replayed to the same decision, score and rules (${esc(percent(report.fidelity.reproduced / report.fidelity.same_ruleset, 2))})` +
      `${report.fidelity.precedence > 0 ? `; ${esc(count(report.fidelity.precedence))} to the same score and rules with another decision only because of the precedence change` : ''}.</p>`
  const period = report.period.from === null ? '' : `${report.period.from} to ${report.period.to ?? ''}`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>riskgate backtest: ${esc(describeSide(candidate))}</title><style>${CSS}</style></head>
<body>
<h1>riskgate backtest</h1>
<p>Candidate: <b>${esc(describeSide(candidate))}</b><br>Current: ${esc(describeSide(current))}<br>
<span class="muted">${esc(count(records))} recorded decisions from ${esc(report.input.source)}${period === '' ? '' : `, ${esc(period)}`}; generated ${esc(report.generated_at)}${report.input.invalid > 0 ? `; ${esc(count(report.input.invalid))} lines skipped` : ''}</span></p>
<div class="cards">
${card('decisions that change', count(report.changes.changed.count), `${percent(records === 0 ? null : report.changes.changed.count / records, 2)} · ${formatAmounts(report.changes.changed.amounts)}`)}
${card('fraud caught', labelled === 0 ? '-' : `${percent(current.metrics.recall)} → ${percent(candidate.metrics.recall)}`, `${count(current.metrics.fraud_caught.count)} → ${count(candidate.metrics.fraud_caught.count)} of ${count(outcomes.fraud.count)}`)}
${card('good charges blocked', labelled === 0 ? '-' : `${count(current.metrics.good_blocked.count)} → ${count(candidate.metrics.good_blocked.count)}`, `of ${count(outcomes.good.count)} good`)}
${card('precision', labelled === 0 ? '-' : `${percent(current.metrics.precision)} → ${percent(candidate.metrics.precision)}`, 'blocked charges that were fraud')}
</div>
<h2>Decisions</h2>
<div class="charts">${decisionsChart}<div><p>Decisions that change (rows: current, columns: candidate), with amounts:</p>${matrix(report)}</div></div>
<h2>Fraud caught and good charges blocked</h2>
${labelled === 0 ? '<p class="muted">No outcomes in these records: precision and recall need labelled decisions (POST /v1/decisions/:id/outcome, a gateway webhook, or <code>riskgate outcomes import</code>).</p>' : metricsTable(report)}
<h2>Score distribution by outcome</h2>
<div class="charts">${histogram(current, shownOutcomes)}${histogram(candidate, shownOutcomes)}</div>
<h2>Block threshold</h2>
${thresholdSection(report)}
<h2>Rules of the candidate</h2>
${ruleTable(candidate.rules, current, records)}
${candidate.shadow_rules.length === 0 ? '' : `<p>Shadow rules (reported, not enforced):</p>${ruleTable(candidate.shadow_rules, current, records)}`}
<h2>Decisions that change: examples</h2>
${examples(report)}
<h2>Notes</h2>
${fidelity}
${precedence(report)}
<ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</body></html>
`
}
