// The review queue: open reviews oldest first (the longest waiting on top), 25 a page; approve
// or reject the selected one with a note, by button or by key.
import { ApiError, get, post } from '../lib/api.js'
import { h, replace, table } from '../lib/dom.js'
import { age, label, money, time } from '../lib/format.js'
import { shortcuts } from '../lib/keys.js'
import { Pager } from '../lib/pager.js'
import { showStatus } from '../lib/status.js'
import { countries, decisionLink, reasonList } from '../lib/summary.js'

const PAGE_SIZE = 25
const state = { status: 'open', pager: new Pager() }

export async function renderQueue (main, _param, { isCurrent }) {
  let reviews = []
  let selected = 0
  const list = h('div', { id: 'queue-list' })
  const pager = h('div')
  const note = h('textarea', { id: 'review-note', rows: '2', maxlength: '500', 'aria-describedby': 'review-note-help' })
  const statusSelect = h('select', { id: 'queue-status' },
    h('option', { value: 'open', selected: state.status === 'open' }, 'Open, oldest first'),
    h('option', { value: 'closed', selected: state.status === 'closed' }, 'Closed, latest first'))
  // Escape leaves the note for the list (the keys work again); the note is kept for a or r
  note.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return
    event.preventDefault()
    select(selected)
  })
  statusSelect.addEventListener('change', () => {
    state.status = statusSelect.value
    state.pager.reset()
    load()
  })

  replace(main,
    h('h1', null, 'Review queue'),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field inline' }, h('label', { for: 'queue-status' }, 'Reviews'), statusSelect)),
    h('div', { class: 'field' },
      h('label', { for: 'review-note' }, 'Note for the selected review (optional)'),
      note,
      h('p', { id: 'review-note-help', class: 'help' }, 'Kept with the outcome; card numbers are removed. At most 500 characters.')),
    h('p', { class: 'shortcuts', id: 'queue-shortcuts' },
      h('strong', null, 'Keys: '),
      h('kbd', null, 'j'), ' / ', h('kbd', null, 'k'), ' next / previous · ',
      h('kbd', null, 'a'), ' approve · ', h('kbd', null, 'r'), ' reject · ',
      h('kbd', null, 'n'), ' write a note (', h('kbd', null, 'Esc'), ' back to the list) · ', h('kbd', null, 'o'), ' open the decision · ',
      h('kbd', null, ']'), ' / ', h('kbd', null, '['), ' next / previous page'),
    list,
    pager)

  function select (index, focus = true) {
    if (reviews.length === 0) return
    selected = Math.max(0, Math.min(reviews.length - 1, index))
    for (const [i, row] of list.querySelectorAll('tbody tr').entries()) {
      row.classList.toggle('selected', i === selected)
      if (i === selected) {
        row.setAttribute('aria-current', 'true')
        if (focus) row.querySelector('a')?.focus()
      } else row.removeAttribute('aria-current')
    }
  }

  async function close (index, action) {
    const review = reviews[index]
    if (review === undefined || state.status !== 'open') return
    const text = note.value.trim()
    try {
      await post(`/v1/reviews/${encodeURIComponent(review.decision_id)}`, text === '' ? { action } : { action, note: text })
      showStatus(`${action === 'approve' ? 'Approved' : 'Rejected'} ${review.charge_id}.`)
    } catch (err) {
      if (err instanceof ApiError && err.code === 'review_closed') showStatus(`${review.charge_id} was closed already: ${err.message}`, true)
      else {
        showStatus(`Could not ${action} ${review.charge_id}: ${err.message}`, true)
        return
      }
    }
    note.value = ''
    reviews.splice(index, 1)
    draw()
    if (reviews.length === 0 && state.pager.next !== undefined) load()
    else select(index)
  }

  function row (review, index) {
    const closed = review.review?.closed
    const cells = [
      h('td', null, age(review.review?.age_seconds)),
      h('td', null, decisionLink(review)),
      h('td', null, time(review.at)),
      h('td', { class: 'num' }, money(review.amount, review.currency)),
      h('td', { class: 'num' }, String(review.score)),
      h('td', null, countries(review)),
      h('td', null, reasonList(review.reasons))
    ]
    if (state.status === 'open') {
      cells.push(h('td', { class: 'close-cell' },
        h('button', { type: 'button', class: 'approve', onclick: () => close(index, 'approve'), 'aria-label': `Approve ${review.charge_id}` }, 'Approve'),
        h('button', { type: 'button', class: 'reject', onclick: () => close(index, 'reject'), 'aria-label': `Reject ${review.charge_id}` }, 'Reject')))
    } else {
      cells.push(h('td', null, closed === undefined ? '—' : `${label(closed.action)} by ${closed.actor}, ${time(closed.at)}${closed.note !== undefined ? `: ${closed.note}` : ''}`))
    }
    const tr = h('tr', { dataset: { decisionId: review.decision_id } }, cells)
    tr.addEventListener('click', (event) => { if (!(event.target instanceof HTMLButtonElement)) select(index, false) })
    return tr
  }

  function draw () {
    if (reviews.length === 0) {
      replace(list, h('p', { class: 'empty' }, state.status === 'open' ? 'No open reviews.' : 'No closed reviews.'))
    } else {
      const headings = ['Waiting', 'Charge', 'Decided', 'Amount', 'Score', 'IP / card country', 'Reasons', state.status === 'open' ? 'Close' : 'Closed']
      replace(list, table(state.status === 'open' ? 'Open reviews, oldest first' : 'Closed reviews, latest first', headings, reviews.map(row), { id: 'queue-table' }))
    }
    replace(pager, state.pager.controls('reviews', load))
  }

  async function load () {
    replace(list, h('p', { class: 'loading' }, 'Loading…'))
    try {
      const page = await get('/v1/reviews', { status: state.status, limit: PAGE_SIZE, cursor: state.pager.cursor })
      if (!isCurrent()) return
      reviews = page.reviews
      state.pager.next = page.next_cursor
      selected = 0
      draw()
      select(0, false)
    } catch (err) {
      if (isCurrent()) replace(list, h('p', { class: 'error' }, `The queue could not be read: ${err.message}`))
    }
  }

  await load()
  return shortcuts({
    j: () => select(selected + 1),
    k: () => select(selected - 1),
    a: () => close(selected, 'approve'),
    r: () => close(selected, 'reject'),
    n: () => note.focus(),
    o: () => { const r = reviews[selected]; if (r !== undefined) location.hash = `#/decision/${encodeURIComponent(r.decision_id)}` },
    ']': () => { if (state.pager.next !== undefined) { state.pager.forward(); load() } },
    '[': () => { if (state.pager.page > 1) { state.pager.back(); load() } }
  })
}
