// Search: GET /v1/decisions with any of its filters, newest first, cursor paged. Filters stay in
// memory (not in the URL): an email or an IP typed here is not kept in the browser's history.
import { get } from '../lib/api.js'
import { h, replace, table } from '../lib/dom.js'
import { Pager } from '../lib/pager.js'
import { SUMMARY_HEADINGS, summaryRow } from '../lib/summary.js'

const PAGE_SIZE = 25
const IDENTIFIERS = [['email', 'Email'], ['ip', 'IP address'], ['card_fingerprint', 'Card fingerprint'], ['customer_id', 'Customer id']]
const OUTCOMES = ['none', 'fraud', 'legit', 'chargeback', 'refund', 'review_approved', 'review_rejected', 'gateway_denied']
const state = { filters: null, pager: new Pager() }

function field (id, text, control) {
  return h('div', { class: 'field' }, h('label', { for: id }, text), control)
}

function select (id, options, current) {
  return h('select', { id, name: id },
    h('option', { value: '' }, 'Any'),
    options.map(([v, text]) => h('option', { value: v, selected: v === current }, text)))
}

/** a datetime-local value, read as UTC */
function utc (text) {
  return text === '' ? undefined : `${text}:00Z`
}

export async function renderSearch (main, _param, { isCurrent }) {
  const f = state.filters ?? {}
  let ruleIds = []
  try {
    ruleIds = (await get('/v1/rules')).rules.filter((r) => r.mode === 'live').map((r) => r.id)
  } catch {}
  if (!isCurrent()) return

  const decision = select('search-decision', [['allow', 'allow'], ['review', 'review'], ['block', 'block']], f.decision)
  const rule = select('search-rule', ruleIds.map((id) => [id, id]), f.rule)
  const outcome = select('search-outcome', OUTCOMES.map((o) => [o, o === 'none' ? 'none reported' : o.replace(/_/g, ' ')]), f.outcome)
  const from = h('input', { id: 'search-from', name: 'from', type: 'datetime-local', value: f.fromText ?? '' })
  const to = h('input', { id: 'search-to', name: 'to', type: 'datetime-local', value: f.toText ?? '' })
  const chargeId = h('input', { id: 'search-charge', name: 'charge_id', type: 'text', value: f.charge_id ?? '', autocomplete: 'off' })
  const kind = h('select', { id: 'search-identifier-kind', name: 'identifier_kind' }, IDENTIFIERS.map(([v, text]) => h('option', { value: v, selected: v === (f.kind ?? 'email') }, text)))
  const identifier = h('input', { id: 'search-identifier', name: 'identifier', type: 'text', value: f.identifier ?? '', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'search-identifier-help' })
  const results = h('div', { id: 'search-results', 'aria-live': 'polite' })

  const form = h('form', { id: 'search-form', class: 'card filters', role: 'search' },
    h('div', { class: 'grid' },
      field('search-decision', 'Decision', decision),
      field('search-rule', 'Rule fired', rule),
      field('search-outcome', 'Latest outcome', outcome),
      field('search-from', 'From (UTC, included)', from),
      field('search-to', 'To (UTC, excluded)', to),
      field('search-charge', 'Charge id', chargeId),
      field('search-identifier-kind', 'Identifier', kind),
      h('div', { class: 'field' },
        h('label', { for: 'search-identifier' }, 'Identifier value'),
        identifier,
        h('p', { id: 'search-identifier-help', class: 'help' }, 'Matched by its keyed hash: the value is not stored.'))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', id: 'search-submit' }, 'Search'),
      h('button', { type: 'reset', class: 'secondary' }, 'Clear')))

  replace(main, h('h1', null, 'Search decisions'), form, results)

  async function run () {
    const filters = state.filters
    const query = {
      decision: filters.decision,
      rule: filters.rule,
      outcome: filters.outcome,
      from: utc(filters.fromText),
      to: utc(filters.toText),
      charge_id: filters.charge_id,
      limit: PAGE_SIZE,
      cursor: state.pager.cursor
    }
    if (filters.identifier !== '') query[filters.kind] = filters.identifier
    replace(results, h('p', { class: 'loading' }, 'Searching…'))
    try {
      const page = await get('/v1/decisions', query)
      if (!isCurrent()) return
      state.pager.next = page.next_cursor
      replace(results,
        page.decisions.length === 0
          ? h('p', { class: 'empty' }, state.pager.next === undefined ? 'No decision matches.' : 'None on this page (the search looked at its bound of candidates): see the next page.')
          : table('Matching decisions, newest first', SUMMARY_HEADINGS, page.decisions.map(summaryRow), { id: 'search-table' }),
        state.pager.controls('results', run))
    } catch (err) {
      if (isCurrent()) replace(results, h('p', { class: 'error' }, `The search failed: ${err.message}`))
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    state.filters = {
      decision: decision.value,
      rule: rule.value,
      outcome: outcome.value,
      fromText: from.value,
      toText: to.value,
      charge_id: chargeId.value.trim(),
      kind: kind.value,
      identifier: identifier.value.trim()
    }
    state.pager.reset()
    run()
  })
  form.addEventListener('reset', () => {
    state.filters = null
    state.pager.reset()
    replace(results)
  })
  if (state.filters !== null) await run()
}
