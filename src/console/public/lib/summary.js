// Cells shared by the lists of decisions (queue, search, recent).
import { h } from './dom.js'
import { label, money, time } from './format.js'

export function decisionLink (summary) {
  return h('a', { href: `#/decision/${encodeURIComponent(summary.decision_id)}`, class: 'charge-link' }, summary.charge_id)
}

export function badge (decision) {
  return h('span', { class: `badge badge-${decision}` }, decision)
}

export function countries (summary) {
  return `${summary.country ?? '—'} / ${summary.card_country ?? '—'}`
}

export function reasonList (reasons) {
  if (!Array.isArray(reasons) || reasons.length === 0) return '—'
  return h('ul', { class: 'reasons' }, reasons.map((r) => h('li', { title: r.description ?? '' }, r.rule)))
}

export function outcomeText (outcome) {
  if (outcome === undefined || outcome === null) return '—'
  return `${label(outcome.label)}${outcome.actor !== undefined ? ` (${outcome.actor})` : ''}`
}

/** a row of a list of decisions: time, charge, amount, decision, score, countries, reasons, outcome */
export function summaryRow (summary) {
  return h('tr', null,
    h('td', null, time(summary.at)),
    h('td', null, decisionLink(summary)),
    h('td', { class: 'num' }, money(summary.amount, summary.currency)),
    h('td', null, badge(summary.decision)),
    h('td', { class: 'num' }, String(summary.score)),
    h('td', null, countries(summary)),
    h('td', null, reasonList(summary.reasons)),
    h('td', null, outcomeText(summary.outcome)))
}

export const SUMMARY_HEADINGS = ['Time', 'Charge', 'Amount', 'Decision', 'Score', 'IP / card country', 'Reasons', 'Outcome']
