import type { Decision } from '../schemas/decision.js'
import type { ChargeRow } from './charge-samples.js'
import {
  amountsLegend, chargeAmount, count, CURRENCY_HEADER, currencyRows, currentHits, describeSide, moneyOf, percent, removalCells, reportCurrencies
} from './format-terminal.js'
import type { MoneyFormat } from './money.js'
import { OUTCOME_CLASSES } from './outcome.js'
import type { OutcomeClass } from './outcome.js'
import { blockedOutcomesNote, curveThresholds } from './report.js'
import type { BacktestReport, CurvePoint, RuleReport, SideReport } from './report.js'
import { DECISIONS } from './stats.js'
import type { Tally } from './stats.js'
import { barChart, curveChart, escapeHtml, inlineBar } from './svg.js'
import type { BarMarker, LineSeries, Marker } from './svg.js'

const COLORS = { current: '#8a8f98', candidate: '#2f6fdf', fraud: '#d64545', good: '#3a9a5b', unlabelled: '#b8b8b8', review: '#c98a00', block: '#b02a2a' } as const
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
td.text { text-align: left; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { border: 1px solid #e2e2e2; border-radius: 6px; padding: 10px 14px; min-width: 150px; }
.card b { display: block; font-size: 20px; }
.muted { color: #666; font-size: 12px; } .charts { display: flex; gap: 16px; flex-wrap: wrap; }
.warning { border-left: 4px solid #c98a00; background: #fff8e6; padding: 10px 14px; margin: 16px 0; }
code { background: #f3f3f3; padding: 1px 4px; border-radius: 3px; }
a { color: inherit; text-decoration: underline dotted #2f6fdf; text-underline-offset: 2px; }
a:hover { background: #eaf1ff; }
.sets .head, .sets table.charges, .sets table.charges tbody tr { display: none; }
.sets .anchor:target ~ table.charges { display: table; }
.sets .anchor:target ~ .pick { display: none; }
`

function esc (text: string | number): string {
  return escapeHtml(String(text))
}

/** Links figures to the charges behind them: the sets of report.charges, by key. */
class Links {
  private readonly index = new Map<string, number>()
  private readonly report: BacktestReport

  constructor (report: BacktestReport) {
    this.report = report
    Object.keys(report.charges.sets).forEach((key, i) => this.index.set(key, i))
  }

  /** `html` (already escaped) as a link to the charges of `key`, when there are any */
  to (key: string, html: string): string {
    const i = this.index.get(key)
    const set = this.report.charges.sets[key]
    if (i === undefined || set === undefined || set.total === 0) return html
    return `<a href="#c${i}" title="${esc(`list these charges: ${set.label}`)}">${html}</a>`
  }

  idOf (key: string): number | undefined {
    return this.index.get(key)
  }
}

interface View {
  report: BacktestReport
  money: MoneyFormat
  links: Links
}

function amountLines (v: View, amounts: Tally['amounts']): string {
  return v.money.parts(amounts).map((p) => esc(p)).join('<br>') || '-'
}

function tallyCell (v: View, t: Tally, key?: string): string {
  const number = esc(count(t.count))
  return `${key === undefined ? number : v.links.to(key, number)}<br><span class="muted">${amountLines(v, t.amounts)}</span>`
}

function card (label: string, valueHtml: string, note = ''): string {
  return `<div class="card"><span class="muted">${esc(label)}</span><b>${valueHtml}</b><span class="muted">${note}</span></div>`
}

function thresholdMarkers (side: SideReport): BarMarker[] {
  if (side.thresholds === null) return []
  return [
    { at: side.thresholds.review / BIN, label: `review ${side.thresholds.review}`, color: COLORS.review },
    { at: side.thresholds.block / BIN, label: `block ${side.thresholds.block}`, color: COLORS.block }
  ]
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
  return barChart({
    title: `Score distribution by outcome: ${side.label} (share of each outcome)`,
    labels,
    series,
    format: (v) => `${Number((v * 100).toPrecision(6))}%`,
    width: 540,
    labelAt: 'start',
    markers: thresholdMarkers(side)
  })
}

function curvePoints (curve: readonly CurvePoint[], named: ReadonlySet<number>): LineSeries['points'] {
  return curve.filter((p) => p.fraud_rate !== null && p.good_rate !== null).map((p) => ({
    x: p.good_rate as number,
    y: p.fraud_rate as number,
    ...(named.has(p.threshold) ? { label: String(p.threshold) } : {})
  }))
}

function thresholdSection (v: View): string {
  const { report } = v
  const { current, candidate } = report
  if (report.outcomes.fraud.count === 0 || report.outcomes.good.count === 0) {
    return '<p class="muted">A threshold curve needs both fraud and good outcomes in the records.</p>'
  }
  const rows = curveThresholds(candidate.thresholds?.block)
  const named = new Set(rows)
  const series: LineSeries[] = []
  if (candidate.curve !== null) series.push({ name: 'candidate', color: COLORS.candidate, points: curvePoints(candidate.curve, named) })
  // thresholds are labelled on the candidate's curve only: the current one is there to compare
  if (current.curve !== null) series.push({ name: 'current', color: COLORS.current, points: curvePoints(current.curve, new Set()) })
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
  // the x axis reaches the tabulated thresholds (30 and up) and the decisions' operating points
  const xs = [
    ...markers.map((m) => m.x),
    ...[candidate.curve, current.curve].flatMap((curve) => curve === null ? [] : rows.map((t) => curve[t]?.good_rate ?? 0))
  ]
  const chart = curveChart({
    title: 'Fraud caught vs good charges blocked, by block threshold',
    xMax: Math.min(1, Math.max(0.01, ...xs)),
    xLabel: 'good charges blocked (share of good)',
    yLabel: 'fraud caught (share of fraud)',
    series,
    markers
  })
  const table = candidate.curve === null
    ? ''
    : '<table><tr><th>block threshold</th><th>fraud caught</th><th></th><th>good blocked</th><th></th></tr>' + rows.map((t) => {
      const p = candidate.curve?.[t] as CurvePoint
      const configured = t === candidate.thresholds?.block ? ' (configured)' : ''
      return `<tr><td>${t}${configured}</td><td>${v.links.to(`threshold:${t}:fraud`, esc(count(p.fraud_caught)))} (${esc(percent(p.fraud_rate))})</td><td class="muted">${amountLines(v, p.fraud_amounts)}</td>` +
        `<td>${v.links.to(`threshold:${t}:good`, esc(count(p.good_blocked)))} (${esc(percent(p.good_rate))})</td><td class="muted">${amountLines(v, p.good_amounts)}</td></tr>`
    }).join('') + '</table>'
  return `<div class="charts">${chart}<div><p class="muted">Each point is a block threshold of the candidate (charges an allow or block action decided stay as decided; the others, review actions included, are blocked when their score reaches the threshold). Circles: the operating points of the decisions.</p>${table}</div></div>`
}

function ruleTable (v: View, rules: readonly RuleReport[], shadow: boolean): string {
  const { report } = v
  const records = report.input.records
  const before = currentHits(report.current)
  const kind = shadow ? 'shadow' : 'rule'
  const currentKey = (rule: string): string => report.current.rules.some((r) => r.rule === rule) ? `rule:current:${rule}` : `shadow:current:${rule}`
  const maxHits = Math.max(1, ...rules.map((r) => r.hits.count))
  const rows = rules.map((r) => {
    const [changes, fraud, good] = removalCells(r.without)
    const removal = shadow
      ? ''
      : `<td>${v.links.to(`without:${r.rule}`, esc(changes))}</td><td title="${esc(`fraud no longer blocked ${r.without?.fraud_caught_lost ?? 0}, newly blocked ${r.without?.fraud_caught_gained ?? 0}`)}">${esc(fraud)}</td>` +
        `<td title="${esc(`good charges no longer blocked ${r.without?.good_blocked_lost ?? 0}, newly blocked ${r.without?.good_blocked_gained ?? 0}`)}">${esc(good)}</td>`
    return `<tr><td><code>${esc(r.rule)}</code></td>` +
      `<td>${v.links.to(`${kind}:candidate:${r.rule}`, esc(count(r.hits.count)))}</td><td>${inlineBar(r.hits.count / maxHits, COLORS.candidate)}</td>` +
      `<td>${esc(percent(records === 0 ? null : r.hits.count / records, 2))}</td>` +
      `<td>${v.links.to(`${kind}:candidate:${r.rule}:fraud`, esc(count(r.fraud)))}</td><td>${v.links.to(`${kind}:candidate:${r.rule}:good`, esc(count(r.good)))}</td>` +
      `<td>${esc(percent(r.precision))}</td><td>${r.precision === null ? '' : inlineBar(r.precision, COLORS.fraud, 80)}</td>` +
      `<td>${esc(percent(r.recall))}</td><td>${v.links.to(currentKey(r.rule), esc(before(r.rule)))}</td>${removal}</tr>`
  }).join('')
  const removalHead = shadow ? '' : '<th>without it: decisions that change</th><th>fraud caught</th><th>good blocked</th>'
  return `<table><tr><th>rule</th><th>hits</th><th></th><th>hit rate</th><th>fraud</th><th>good</th><th>precision</th><th></th><th>recall</th><th>current hits</th>${removalHead}</tr>${rows}</table>`
}

function matrix (v: View): string {
  const { report } = v
  const head = `<tr><th>current \\ candidate</th>${DECISIONS.map((d) => `<th>${d}</th>`).join('')}<th>current total</th></tr>`
  const rows = DECISIONS.map((from: Decision) => {
    const cells = DECISIONS.map((to) => {
      const cell = report.changes.matrix[from][to]
      const fraud = cell.by_outcome.fraud.count > 0 ? `<br><span class="muted">fraud ${esc(count(cell.by_outcome.fraud.count))}, good ${esc(count(cell.by_outcome.good.count))}</span>` : ''
      return `<td class="${from === to ? 'same' : cell.count > 0 ? 'changed' : ''}">${tallyCell(v, cell, `change:${from}:${to}`)}${fraud}</td>`
    }).join('')
    return `<tr><th>${from}</th>${cells}<td>${tallyCell(v, report.current.decisions[from], `decision:current:${from}`)}</td></tr>`
  }).join('')
  const totals = `<tr><th>candidate total</th>${DECISIONS.map((d) => `<td>${tallyCell(v, report.candidate.decisions[d], `decision:candidate:${d}`)}</td>`).join('')}<td></td></tr>`
  return `<table>${head}${rows}${totals}</table>`
}

function metricsTable (v: View): string {
  const { current, candidate, outcomes } = v.report
  const row = (label: string, decision: Decision, outcome: OutcomeClass, whole: number): string => {
    const cell = (s: SideReport): string => {
      const t = s.decisions[decision].by_outcome[outcome]
      return `${tallyCell(v, t, `cell:${s.label}:${decision}:${outcome}`)} ${esc(whole === 0 ? '' : `(${percent(t.count / whole)})`)}`
    }
    return `<tr><td>${esc(label)}</td><td>${cell(current)}</td><td>${cell(candidate)}</td></tr>`
  }
  return '<table><tr><th></th><th>current</th><th>candidate</th></tr>' +
    row('fraud caught (blocked)', 'block', 'fraud', outcomes.fraud.count) +
    row('fraud sent to review', 'review', 'fraud', outcomes.fraud.count) +
    row('fraud missed (allowed)', 'allow', 'fraud', outcomes.fraud.count) +
    row('good charges blocked', 'block', 'good', outcomes.good.count) +
    row('good charges sent to review', 'review', 'good', outcomes.good.count) +
    `<tr><td>precision (blocked that were fraud)</td><td>${esc(percent(current.metrics.precision))}</td><td>${esc(percent(candidate.metrics.precision))}</td></tr>` +
    `<tr><td>recall (fraud that was blocked)</td><td>${esc(percent(current.metrics.recall))}</td><td>${esc(percent(candidate.metrics.recall))}</td></tr></table>`
}

function chargeCells (v: View, row: ChargeRow): string {
  return `<td class="text"><code>${esc(row.charge_id)}</code><br><span class="muted">${esc(row.decision_id)}</span></td><td class="text">${esc(row.at)}</td>` +
    `<td>${esc(chargeAmount(row, v.money))}</td><td class="text">${esc(row.outcome ?? '-')}${row.outcome !== null && row.outcome_class === 'unlabelled' ? '<br><span class="muted">not counted</span>' : ''}</td>` +
    `<td class="text">${esc(row.current.decision)} ${esc(row.current.score)}<br><span class="muted">${esc(row.current.fired.join(', ') || 'none')}</span></td>` +
    `<td class="text">${esc(row.candidate.decision)} ${esc(row.candidate.score)}<br><span class="muted">${esc(row.candidate.fired.join(', ') || 'none')}</span></td>`
}

const CHARGE_HEAD = '<tr><th>charge</th><th>decided at</th><th>amount</th><th>outcome</th><th>current</th><th>candidate</th></tr>'

function fraudAllowed (v: View): string {
  const fa = v.report.fraud_allowed
  if (fa.total.count === 0) return '<p class="muted">No charge with a fraud outcome is allowed by the candidate.</p>'
  const order = fa.order === 'largest' ? `the ${fa.charges.length} largest` : `the ${fa.charges.length} latest`
  return `<p>${v.links.to('fraud-allowed', esc(count(fa.total.count)))} charges with a fraud outcome (fraud, chargeback, review_rejected) are allowed by the candidate, ${esc(v.money.full(fa.total.amounts))}` +
    `${fa.charges.length < fa.total.count ? `; ${esc(order)}:` : ':'}</p>` +
    `<table>${CHARGE_HEAD}${fa.charges.map((row) => `<tr>${chargeCells(v, row)}</tr>`).join('')}</table>`
}

function currencyTable (v: View, currencies: readonly string[]): string {
  if (currencies.length < 2) return ''
  const rows = currencyRows(v.report, currencies).map((r) => `<tr>${r.map((cell) => `<td>${esc(cell)}</td>`).join('')}</tr>`).join('')
  return `<h2>Amounts by currency</h2><p class="muted">Each currency apart (current → candidate)${v.money.base === null ? ', never added up' : ''}.</p>` +
    `<table><tr>${CURRENCY_HEADER.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows}</table>`
}

function velocitySection (v: View): string {
  const { report } = v
  const vel = report.velocity
  const items = [
    `${esc(vel.store.counters.length)} counters of the ${esc(vel.store.sides.join(' and '))} (${esc(vel.store.counters.join(', ') || 'none')}), ${esc(count(vel.store.entities))} entities held at the end` +
      `${vel.store.forgotten > 0 ? `, <b>${esc(count(vel.store.forgotten))} forgotten at the memory bound</b>` : ''}`,
    ...(vel.warm_up.records > 0 ? [esc(`${count(vel.warm_up.records)} records before ${vel.warm_up.until ?? ''} (the warm-up): their counters miss the charges before the input.`)] : []),
    ...(report.degraded_velocity > 0 ? [esc(`${count(report.degraded_velocity)} records were decided without velocity: replayed without it, not counted.`)] : []),
    ...vel.unknown.map((u) => `<code>velocity.${esc(u.counter)}</code> is unknown for ${esc(count(u.records))} records: no ${esc(Object.entries(u.missing).map(([p, n]) => `${p} (${count(n)})`).join(', '))}.`)
  ]
  return `<p>Counters recounted from the records in time order with each rule set's declarations (the in-process velocity store, at most ${esc(count(vel.limits.max_entities))} entities and ${esc(count(vel.limits.max_cells))} cells).</p><ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`
}

function examples (v: View): string {
  const { report } = v
  if (report.changes.examples.length === 0) return '<p class="muted">No decision changes.</p>'
  const rows = report.changes.examples.map((e) => `<tr><td><code>${esc(e.charge_id)}</code><br><span class="muted">${esc(e.at)}</span></td>` +
    `<td>${esc(chargeAmount(e, v.money))}</td><td>${esc(e.outcome)}</td>` +
    `<td>${esc(e.current.decision)} ${esc(e.current.score)}<br><span class="muted">${esc(e.current.fired.join(', ') || 'none')}</span></td>` +
    `<td>${esc(e.candidate.decision)} ${esc(e.candidate.score)}<br><span class="muted">${esc(e.candidate.fired.join(', ') || 'none')}</span></td></tr>`).join('')
  return `<p>The first changes of the input; ${v.links.to('changed', 'every figure links to a sample of its charges')}.</p><table><tr><th>charge</th><th>amount</th><th>outcome</th><th>current</th><th>candidate</th></tr>${rows}</table>`
}

function replayCheck (v: View): string {
  const checks = [['candidate', v.report.fidelity, 'replay-differs'], ['current', v.report.current_fidelity, 'current-replay-differs']] as const
  return checks.map(([name, f, key]) => {
    if (f === null || f.same_ruleset === 0) return ''
    const d = f.differences
    const differing = f.same_ruleset - f.reproduced - f.precedence
    const differs = differing === 0
      ? ''
      : ` The ${v.links.to(key, esc(count(differing)))} that differ: ${esc(count(d.warm_up))} in the warm-up (their counters miss the history before the input), ` +
        `${esc(count(d.counters))} whose recounted counters differ from the recorded ones, ${esc(count(d.other))} with the recorded counters.`
    const counters = f.counters.records === 0
      ? ''
      : ` Counters identical to the recorded values on ${esc(count(f.counters.identical))} of ${esc(count(f.counters.records))} records${f.counters.warm_up > 0 ? ` (${esc(count(f.counters.warm_up))} more differ in the warm-up only)` : ''}.`
    const precedence = f.precedence === 0
      ? ''
      : ` ${esc(count(f.precedence))} replayed to the same score and rules with another decision only because of the precedence change (below).`
    return `<p>Replay check: ${esc(count(f.same_ruleset))} records were decided with the ${name}'s exact rule set; ${esc(count(f.reproduced))} replayed to the same decision, score and rules (${esc(percent(f.reproduced / f.same_ruleset, 2))}).${precedence}${differs}${counters}</p>`
  }).join('')
}

/**
 * The charges behind the figures: one table of the sampled charges, each row marked with the
 * figures it belongs to, and an anchor per figure. A figure's link targets its anchor; CSS alone
 * (`:target`) then shows the figure's rows and heading. No script.
 */
function chargeSets (v: View): string {
  const { charges } = v.report
  const keys = Object.keys(charges.sets)
  const classes: string[][] = charges.rows.map(() => [])
  const anchors: string[] = []
  const heads: string[] = []
  const css: string[] = []
  keys.forEach((key) => {
    const set = charges.sets[key]
    const i = v.links.idOf(key)
    if (set === undefined || i === undefined || set.total === 0) return
    for (const r of set.rows) classes[r]?.push(`c${i}`)
    anchors.push(`<span class="anchor" id="c${i}"></span>`)
    const shown = set.rows.length === set.total ? `${count(set.total)} charges` : `${count(set.rows.length)} of ${count(set.total)} charges, drawn at random`
    heads.push(`<p class="head h${i}"><b>${esc(set.label)}</b>: ${esc(shown)}</p>`)
    css.push(`#c${i}:target~.h${i}{display:block}#c${i}:target~table tr.c${i}{display:table-row}`)
  })
  const rows = charges.rows.map((row, r) => `<tr class="${(classes[r] ?? []).join(' ')}">${chargeCells(v, row)}</tr>`).join('')
  return `<style>${css.join('')}</style><div class="sets">${anchors.join('')}` +
    `<p class="pick muted">Click a number of the report to list its charges here (at most ${esc(charges.per_set)} per figure, drawn at random; --json has the same samples).</p>` +
    `${heads.join('')}<table class="charges"><thead>${CHARGE_HEAD}</thead><tbody>${rows}</tbody></table></div>`
}

function precedence (v: View): string {
  const p = v.report.precedence
  if (p.older_engine_records === 0) return ''
  const head = `<p>${esc(count(p.older_engine_records))} records were decided by an engine older than version ${esc(p.engine)}; ` +
    `${v.links.to('precedence', esc(count(p.changed.count)))} of them (${esc(v.money.full(p.changed.amounts))}) replay to another decision only because of the precedence change ` +
    '(a review action no longer lowers a score at the block threshold: rules/README.md, "Precedence").</p>'
  if (p.examples.length === 0) return head
  const rows = p.examples.map((e) => `<tr><td><code>${esc(e.decision_id)}</code><br><span class="muted">${esc(e.charge_id)} · ${esc(e.at)}</span></td>` +
    `<td>${esc(chargeAmount(e, v.money))}</td><td>${esc(e.recorded)} (engine ${esc(e.engine)})</td>` +
    `<td>${esc(e.replayed)} ${esc(e.score)}<br><span class="muted">${esc(e.fired.join(', ') || 'none')}</span></td></tr>`).join('')
  return `${head}<table><tr><th>decision</th><th>amount</th><th>recorded</th><th>candidate</th></tr>${rows}</table>`
}

/**
 * The backtest as one self-contained HTML file: inline CSS and SVG, no script, no external asset,
 * so it can be attached to a pull request or mailed. Every figure links to a sample of the charges
 * behind it, within the file. Every value from the records is escaped.
 */
export function renderHtmlReport (report: BacktestReport): string {
  const { current, candidate, outcomes } = report
  const v: View = { report, money: moneyOf(report), links: new Links(report) }
  const records = report.input.records
  const labelled = outcomes.fraud.count + outcomes.good.count
  const currencies = reportCurrencies(report)
  const decisionsChart = barChart({
    title: 'Decisions before and after',
    labels: [...DECISIONS],
    series: [
      { name: 'current', color: COLORS.current, values: DECISIONS.map((d) => current.decisions[d].count) },
      { name: 'candidate', color: COLORS.candidate, values: DECISIONS.map((d) => candidate.decisions[d].count) }
    ],
    format: (x) => compact.format(x),
    width: 420
  })
  const shownOutcomes = OUTCOME_CLASSES.filter((o) => outcomes[o].count > 0)
  const period = report.period.from === null ? '' : `${report.period.from} to ${report.period.to ?? ''}`
  const filter = report.filter.from === null && report.filter.to === null
    ? ''
    : `<br><span class="muted">Period asked for: ${esc(report.filter.from ?? 'the first record')} to ${esc(report.filter.to ?? 'the last record')}; ${esc(count(report.input.before_period))} earlier records only warm the velocity counters up, ${esc(count(report.input.after_period))} later ones are ignored.</span>`
  const bias = blockedOutcomesNote(report.blocked_outcomes)
  const changedShare = percent(records === 0 ? null : report.changes.changed.count / records, 2)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>riskgate backtest: ${esc(describeSide(candidate))}</title><style>${CSS}</style></head>
<body>
<h1>riskgate backtest</h1>
<p>Candidate: <b>${esc(describeSide(candidate))}</b><br>Current: ${esc(describeSide(current))}<br>
<span class="muted">${esc(count(records))} recorded decisions from ${esc(report.input.source)}${period === '' ? '' : `, ${esc(period)}`}; generated ${esc(report.generated_at)}${report.input.invalid > 0 ? `; ${esc(count(report.input.invalid))} lines skipped` : ''}</span>${filter}<br>
<span class="muted">Outcomes: ${v.links.to('outcome:fraud', esc(count(outcomes.fraud.count)))} fraud, ${v.links.to('outcome:good', esc(count(outcomes.good.count)))} good, ${v.links.to('outcome:unlabelled', esc(count(outcomes.unlabelled.count)))} without a usable outcome. ${esc(amountsLegend(report, currencies))}.</span></p>
<div class="cards">
${card('decisions that change', v.links.to('changed', esc(count(report.changes.changed.count))), `${esc(changedShare)} · ${esc(v.money.short(report.changes.changed.amounts))}`)}
${card('fraud caught', labelled === 0 ? '-' : `${esc(percent(current.metrics.recall))} → ${esc(percent(candidate.metrics.recall))}`,
  `${v.links.to('cell:current:block:fraud', esc(count(current.metrics.fraud_caught.count)))} → ${v.links.to('cell:candidate:block:fraud', esc(count(candidate.metrics.fraud_caught.count)))} of ${esc(count(outcomes.fraud.count))}`)}
${card('good charges blocked', labelled === 0 ? '-' : `${v.links.to('cell:current:block:good', esc(count(current.metrics.good_blocked.count)))} → ${v.links.to('cell:candidate:block:good', esc(count(candidate.metrics.good_blocked.count)))}`, `of ${esc(count(outcomes.good.count))} good`)}
${card('precision', labelled === 0 ? '-' : `${esc(percent(current.metrics.precision))} → ${esc(percent(candidate.metrics.precision))}`, 'blocked charges that were fraud')}
${card('fraud still allowed', v.links.to('fraud-allowed', esc(count(report.fraud_allowed.total.count))), esc(v.money.short(report.fraud_allowed.total.amounts)))}
</div>
${bias === null ? '' : `<div class="warning">${esc(bias)}${report.blocked_outcomes.set_aside > 0 ? ` (${v.links.to('blocked-set-aside', `${esc(count(report.blocked_outcomes.set_aside))} outcomes set aside`)})` : ''}</div>`}
<h2>Decisions</h2>
<div class="charts">${decisionsChart}<div><p>Decisions that change (rows: current, columns: candidate), with amounts:</p>${matrix(v)}</div></div>
<h2>Fraud caught and good charges blocked</h2>
${labelled === 0 ? '<p class="muted">No outcomes in these records: precision and recall need labelled decisions (POST /v1/decisions/:id/outcome, a gateway webhook, or <code>riskgate outcomes import</code>).</p>' : metricsTable(v)}
<h2>Fraud the candidate still allows</h2>
${fraudAllowed(v)}
${currencyTable(v, currencies)}
<h2>Score distribution by outcome</h2>
<div class="charts">${histogram(current, shownOutcomes)}${histogram(candidate, shownOutcomes)}</div>
<h2>Block threshold</h2>
${thresholdSection(v)}
<h2>Rules of the candidate</h2>
<p class="muted">Without it: what removing the rule from the candidate would change: the decisions that change, and the change of fraud caught and of good charges blocked.</p>
${ruleTable(v, candidate.rules, false)}
${candidate.shadow_rules.length === 0 ? '' : `<p>Shadow rules (reported, not enforced):</p>${ruleTable(v, candidate.shadow_rules, true)}`}
<h2>Velocity</h2>
${velocitySection(v)}
<h2>Decisions that change: examples</h2>
${examples(v)}
<h2>Notes</h2>
${replayCheck(v)}
${precedence(v)}
<ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
<h2 id="charges">Charges behind the figures</h2>
${chargeSets(v)}
</body></html>
`
}
