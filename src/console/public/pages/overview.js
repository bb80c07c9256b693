// The overview: decisions and outcomes per hour (last 24 h) or per day (last 30 days), the share
// of degraded answers, and the rules that fired most.
import { get } from '../lib/api.js'
import { facts, h, replace, table } from '../lib/dom.js'
import { horizontalBars, stackedBars } from '../lib/charts.js'
import { label } from '../lib/format.js'

const DECISIONS = [
  { key: 'allow', label: 'allow', cls: 'series-allow' },
  { key: 'review', label: 'review', cls: 'series-review' },
  { key: 'block', label: 'block', cls: 'series-block' }
]
const OUTCOMES = ['legit', 'review_approved', 'review_rejected', 'refund', 'fraud', 'chargeback']
  .map((key) => ({ key, label: label(key), cls: `series-${key.replace(/_/g, '-')}` }))
const state = { bucket: 'hour' }

function rangeOf (bucket) {
  const now = new Date()
  if (bucket === 'day') {
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
    return { from: new Date(to.getTime() - 30 * 86_400_000).toISOString(), to: to.toISOString() }
  }
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), now.getUTCHours() + 1))
  return { from: new Date(to.getTime() - 24 * 3_600_000).toISOString(), to: to.toISOString() }
}

function bucketLabel (start, bucket) {
  const iso = new Date(start).toISOString()
  return bucket === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 13)}:00`
}

function shortLabel (start, bucket) {
  const iso = new Date(start).toISOString()
  return bucket === 'day' ? iso.slice(5, 10) : iso.slice(11, 13)
}

function percent (n) {
  return `${(n * 100).toFixed(n > 0 && n < 0.1 ? 1 : 0)}%`
}

export async function renderOverview (main, _param, { isCurrent }) {
  const bucketSelect = h('select', { id: 'overview-bucket' },
    h('option', { value: 'hour', selected: state.bucket === 'hour' }, 'Per hour, last 24 hours'),
    h('option', { value: 'day', selected: state.bucket === 'day' }, 'Per day, last 30 days'))
  const body = h('div', { id: 'overview-body' })
  bucketSelect.addEventListener('change', () => { state.bucket = bucketSelect.value; load() })
  replace(main, h('h1', null, 'Overview'),
    h('div', { class: 'toolbar' }, h('div', { class: 'field inline' }, h('label', { for: 'overview-bucket' }, 'Period'), bucketSelect)),
    body)

  async function load () {
    replace(body, h('p', { class: 'loading' }, 'Loading…'))
    let overview
    try {
      overview = await get('/v1/overview', { bucket: state.bucket, ...rangeOf(state.bucket) })
    } catch (err) {
      if (isCurrent()) replace(body, h('p', { class: 'error' }, `The overview could not be read: ${err.message}`))
      return
    }
    if (!isCurrent()) return
    const bucket = overview.bucket
    const buckets = overview.buckets.map((b) => ({
      label: bucketLabel(b.start, bucket),
      shortLabel: shortLabel(b.start, bucket),
      decisions: b.decisions,
      outcomes: b.outcomes ?? {},
      degraded: b.degraded,
      total: b.decisions.allow + b.decisions.review + b.decisions.block
    }))
    const total = buckets.reduce((sum, b) => sum + b.total, 0)
    const byKind = Object.fromEntries(DECISIONS.map((d) => [d.key, buckets.reduce((sum, b) => sum + b.decisions[d.key], 0)]))
    const degraded = buckets.reduce((sum, b) => sum + b.degraded, 0)
    const outcomeCount = buckets.reduce((sum, b) => sum + Object.values(b.outcomes).reduce((x, y) => x + y, 0), 0)
    const tickEvery = bucket === 'day' ? 5 : 3
    replace(body,
      h('section', { class: 'card', 'aria-labelledby': 'totals-heading' },
        h('h2', { id: 'totals-heading' }, 'In this period'),
        facts([
          ['Decisions', String(total)],
          ['Allowed', `${byKind.allow} (${percent(total === 0 ? 0 : byKind.allow / total)})`],
          ['Sent to review', `${byKind.review} (${percent(total === 0 ? 0 : byKind.review / total)})`],
          ['Blocked', `${byKind.block} (${percent(total === 0 ? 0 : byKind.block / total)})`],
          ['Degraded answers', `${degraded} (${percent(total === 0 ? 0 : degraded / total)})`],
          ['Outcomes reported', String(outcomeCount)]
        ])),
      h('div', { class: 'charts' },
        stackedBars({
          title: 'Decisions',
          description: `Decisions per ${bucket} by kind: ${total} in all.`,
          buckets: buckets.map((b) => ({ label: b.label, shortLabel: b.shortLabel, values: b.decisions })),
          series: DECISIONS,
          tickEvery
        }),
        stackedBars({
          title: 'Outcomes reported',
          description: `Outcomes reported per ${bucket} by label: ${outcomeCount} in all.`,
          buckets: buckets.map((b) => ({ label: b.label, shortLabel: b.shortLabel, values: b.outcomes })),
          series: OUTCOMES,
          tickEvery
        }),
        stackedBars({
          title: 'Degraded share',
          description: `Share of answers made without a signal per ${bucket}: ${percent(total === 0 ? 0 : degraded / total)} in all.`,
          buckets: buckets.map((b) => ({ label: b.label, shortLabel: b.shortLabel, values: { degraded: b.total === 0 ? 0 : b.degraded / b.total } })),
          series: [{ key: 'degraded', label: 'degraded share', cls: 'series-degraded' }],
          format: percent,
          tickEvery
        }),
        overview.top_rules.length === 0
          ? h('p', { class: 'empty' }, 'No rule fired in this period.')
          : horizontalBars({ title: 'Top rules fired', description: 'The 20 rules that fired most in the period, with their counts.', items: overview.top_rules.map((r) => ({ label: r.rule, value: r.count })) })),
      h('details', null, h('summary', null, 'The numbers as a table'),
        table(`Per ${bucket}`, ['Start (UTC)', 'allow', 'review', 'block', 'degraded', 'outcomes'],
          buckets.map((b) => h('tr', null, h('td', null, b.label), h('td', { class: 'num' }, String(b.decisions.allow)), h('td', { class: 'num' }, String(b.decisions.review)),
            h('td', { class: 'num' }, String(b.decisions.block)), h('td', { class: 'num' }, String(b.degraded)),
            h('td', null, Object.entries(b.outcomes).map(([k, v]) => `${label(k)} ${v}`).join(', ') || '—'))))))
  }
  await load()
}
