// Cursor paging: the cursors of the pages before this one are kept, so "Previous" goes back.
import { h } from './dom.js'

export class Pager {
  constructor () {
    this.cursors = [undefined]
    this.next = undefined
  }

  get cursor () {
    return this.cursors[this.cursors.length - 1]
  }

  get page () {
    return this.cursors.length
  }

  forward () {
    if (this.next !== undefined) this.cursors.push(this.next)
  }

  back () {
    if (this.cursors.length > 1) this.cursors.pop()
  }

  reset () {
    this.cursors = [undefined]
    this.next = undefined
  }

  /** Previous / Next buttons for a list called `what` */
  controls (what, onChange) {
    return h('nav', { class: 'pager', 'aria-label': `Pages of ${what}` },
      h('button', { type: 'button', class: 'page-previous', disabled: this.page === 1, onclick: () => { this.back(); onChange() } }, 'Previous page'),
      h('span', null, `Page ${this.page}`),
      h('button', { type: 'button', class: 'page-next', disabled: this.next === undefined, onclick: () => { this.forward(); onChange() } }, 'Next page'))
  }
}
