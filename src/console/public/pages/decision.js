// A decision: summary, its review (closable here), the reasons with the values the rules read,
// the signals and velocity counters it was decided on, and its outcome history.
import { ApiError, get, post } from '../lib/api.js'
import { facts, h, replace, table } from '../lib/dom.js'
import { age, label, money, time, value } from '../lib/format.js'
import { showStatus } from '../lib/status.js'
import { badge } from '../lib/summary.js'

/** identifier fields recorded as keyed hashes (never the raw value) */
const HASHED = new Set(['ip.address', 'email.address', 'card.fingerprint', 'customer.id', 'billing.name', 'billing.line1', 'billing.line2', 'shipping.name', 'shipping.line1', 'shipping.line2'])

function flatten (object, prefix, out = []) {
  for (const [name, v] of Object.entries(object ?? {})) {
    const path = prefix === '' ? name : `${prefix}.${name}`
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, path, out)
    else out.push([path, v])
  }
  return out
}

function valuesList (values) {
  const entries = Object.entries(values ?? {})
  if (entries.length === 0) return '—'
  return h('dl', { class: 'values' }, entries.map(([name, v]) => [h('dt', null, name), h('dd', null, value(v))]))
}

function reasonsSection (record) {
  const reasons = Array.isArray(record.reasons)
    ? record.reasons
    : (record.fired ?? []).map((rule) => ({ rule }))
  const rows = reasons.map((r) => h('tr', null,
    h('th', { scope: 'row' }, r.rule),
    h('td', null, r.description ?? ''),
    h('td', { class: 'num' }, r.action !== undefined && r.action !== null ? r.action : value(r.score)),
    h('td', null, valuesList(r.values))))
  return h('section', { 'aria-labelledby': 'reasons-heading' },
    h('h2', { id: 'reasons-heading' }, 'Reasons'),
    rows.length === 0 ? h('p', { class: 'empty' }, 'No rule fired.') : table('Rules that fired, with the values they read', ['Rule', 'Description', 'Score or action', 'Values read'], rows, { id: 'reasons-table' }))
}

function signalsSection (features) {
  const groups = ['ip', 'email', 'card', 'device', 'billing', 'shipping', 'customer']
    .filter((name) => features?.[name] !== undefined)
    .map((name) => {
      const rows = flatten(features[name], name).map(([path, v]) => h('tr', null,
        h('th', { scope: 'row' }, path),
        h('td', null, value(v), HASHED.has(path) ? h('span', { class: 'note' }, ' (keyed hash)') : null)))
      return table(`Signals: ${name}`, ['Signal', 'Value'], rows)
    })
  const basket = facts([
    ['Items', features?.item_count !== undefined ? String(features.item_count) : undefined],
    ['Description', features?.description],
    ['Billing and shipping match', features?.billing_shipping_match !== undefined ? value(features.billing_shipping_match) : undefined],
    ['IP to billing city', features?.ip_billing_distance_km !== undefined ? `${features.ip_billing_distance_km} km` : undefined]
  ])
  return h('section', { 'aria-labelledby': 'signals-heading' },
    h('h2', { id: 'signals-heading' }, 'Signals'), basket, h('div', { class: 'grid' }, groups))
}

function velocitySection (features) {
  const velocity = features?.velocity
  const body = velocity === undefined
    ? h('p', { class: 'empty' }, 'No velocity counters: the velocity store was unavailable (degraded).')
    : table('Velocity counters, this charge included', ['Counter', 'Value'],
      Object.entries(velocity).map(([name, v]) => h('tr', null, h('th', { scope: 'row' }, name), h('td', { class: 'num' }, value(v)))), { id: 'velocity-table' })
  return h('section', { 'aria-labelledby': 'velocity-heading' }, h('h2', { id: 'velocity-heading' }, 'Velocity'), body)
}

function outcomesSection (record) {
  const history = record.outcomes ?? (record.outcome !== undefined ? [record.outcome] : [])
  const rows = history.map((o) => h('tr', null,
    h('td', null, time(o.at)),
    h('td', null, label(o.label)),
    h('td', null, o.source),
    h('td', null, o.actor ?? '—'),
    h('td', null, o.note ?? '')))
  return h('section', { 'aria-labelledby': 'outcomes-heading' },
    h('h2', { id: 'outcomes-heading' }, 'Outcome history'),
    record.outcome !== undefined ? h('p', { id: 'latest-outcome' }, 'Latest outcome: ', h('strong', null, label(record.outcome.label))) : null,
    rows.length === 0 ? h('p', { class: 'empty' }, 'No outcome reported yet.') : table('Outcomes, oldest first', ['Time', 'Outcome', 'Source', 'Actor', 'Note'], rows, { id: 'outcomes-table' }))
}

function reviewSection (record, reload) {
  const review = record.review
  if (review === undefined || review === null) return null
  if (review.status === 'closed') {
    const c = review.closed ?? {}
    return h('section', { 'aria-labelledby': 'review-heading', class: 'card' },
      h('h2', { id: 'review-heading' }, 'Review: closed'),
      facts([['Action', label(c.action)], ['By', c.actor], ['At', time(c.at)], ['Note', c.note], ['Took', age(review.age_seconds)]]))
  }
  const note = h('textarea', { id: 'decision-note', rows: '2', maxlength: '500' })
  async function close (action) {
    const text = note.value.trim()
    try {
      await post(`/v1/reviews/${encodeURIComponent(record.decision_id)}`, text === '' ? { action } : { action, note: text })
      showStatus(`${action === 'approve' ? 'Approved' : 'Rejected'} ${record.charge_id}.`)
    } catch (err) {
      showStatus(err instanceof ApiError && err.code === 'review_closed' ? `Closed already: ${err.message}` : `Could not ${action}: ${err.message}`, true)
    }
    reload()
  }
  return h('section', { 'aria-labelledby': 'review-heading', class: 'card' },
    h('h2', { id: 'review-heading' }, `Review: open for ${age(review.age_seconds)}`),
    h('div', { class: 'field' }, h('label', { for: 'decision-note' }, 'Note (optional)'), note),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'approve', id: 'decision-approve', onclick: () => close('approve') }, 'Approve'),
      h('button', { type: 'button', class: 'reject', id: 'decision-reject', onclick: () => close('reject') }, 'Reject')))
}

export async function renderDecision (main, decisionId, { isCurrent }) {
  async function load () {
    replace(main, h('p', { class: 'loading' }, 'Loading…'))
    let record
    try {
      record = await get(`/v1/decisions/${encodeURIComponent(decisionId ?? '')}`)
    } catch (err) {
      if (isCurrent()) replace(main, h('h1', null, 'Decision'), h('p', { class: 'error' }, err.status === 404 ? 'No decision with this id is kept.' : `The decision could not be read: ${err.message}`))
      return
    }
    if (!isCurrent()) return
    const heading = h('h1', { tabindex: '-1' }, 'Decision ', h('span', { class: 'mono' }, record.charge_id))
    replace(main,
      heading,
      h('section', { 'aria-labelledby': 'summary-heading', class: 'card' },
        h('h2', { id: 'summary-heading' }, 'Summary'),
        facts([
          ['Decision', badge(record.decision)],
          ['Score', String(record.score)],
          ['Amount', money(record.amount, record.currency)],
          ['Decided', time(record.at)],
          ['Decision id', h('span', { class: 'mono' }, record.decision_id)],
          ['Rule set', record.ruleset !== undefined ? `${record.ruleset.version} (${String(record.ruleset.hash).slice(0, 12)})` : undefined],
          ['Degraded', Array.isArray(record.degraded) && record.degraded.length > 0 ? record.degraded.join(', ') : 'no'],
          ['Shadow rules would decide', record.shadow !== undefined ? `${record.shadow.decision} (score ${record.shadow.score})` : undefined]
        ])),
      reviewSection(record, load),
      reasonsSection(record),
      outcomesSection(record),
      velocitySection(record.features),
      signalsSection(record.features))
    heading.focus()
  }
  await load()
}
