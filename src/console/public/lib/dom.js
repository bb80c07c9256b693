// Building the page: every value goes in as text (a Text node or an attribute), never as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg'

function append (parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else if (child instanceof Node) parent.appendChild(child)
    else parent.appendChild(document.createTextNode(String(child)))
  }
}

function setAttributes (el, attrs) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value)
    else if (name === 'dataset') Object.assign(el.dataset, value)
    else el.setAttribute(name, value === true ? '' : String(value))
  }
}

/** An HTML element: h('button', { type: 'button', onclick }, 'Approve'). */
export function h (tag, attrs, ...children) {
  const el = document.createElement(tag)
  setAttributes(el, attrs)
  append(el, children)
  return el
}

/** An SVG element, for the charts. */
export function s (tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag)
  setAttributes(el, attrs)
  append(el, children)
  return el
}

/** Replaces what an element holds. */
export function replace (el, ...children) {
  el.replaceChildren()
  append(el, children)
  return el
}

/** A definition list of label / value pairs (values absent or empty are left out). */
export function facts (pairs) {
  return h('dl', { class: 'facts' }, pairs
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([label, value]) => [h('dt', null, label), h('dd', null, value)]))
}

/** A table: a caption, column headings and rows of cells (strings or nodes). */
export function table (caption, headings, rows, attrs = {}) {
  // each cell names its column: on a narrow screen the rows are shown as cards (console.css)
  for (const row of rows) {
    for (const [i, cell] of [...row.children].entries()) {
      if (headings[i] !== undefined) cell.dataset.label = headings[i]
    }
  }
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'stack', ...attrs },
      h('caption', null, caption),
      h('thead', null, h('tr', null, headings.map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', null, rows)))
}
