// Recent decisions, newest first, with their latest outcomes.
import { get } from '../lib/api.js'
import { h, replace, table } from '../lib/dom.js'
import { Pager } from '../lib/pager.js'
import { SUMMARY_HEADINGS, summaryRow } from '../lib/summary.js'

const PAGE_SIZE = 25
const pager = new Pager()

export async function renderRecent (main, _param, { isCurrent }) {
  const list = h('div', { id: 'recent-list' })
  replace(main, h('h1', null, 'Recent decisions'), list)
  async function load () {
    replace(list, h('p', { class: 'loading' }, 'Loading…'))
    try {
      const page = await get('/v1/decisions', { limit: PAGE_SIZE, cursor: pager.cursor })
      if (!isCurrent()) return
      pager.next = page.next_cursor
      replace(list,
        page.decisions.length === 0 ? h('p', { class: 'empty' }, 'No decision recorded yet.') : table('Decisions, newest first', SUMMARY_HEADINGS, page.decisions.map(summaryRow), { id: 'recent-table' }),
        pager.controls('recent decisions', load))
    } catch (err) {
      if (isCurrent()) replace(list, h('p', { class: 'error' }, `Recent decisions could not be read: ${err.message}`))
    }
  }
  pager.reset()
  await load()
}
