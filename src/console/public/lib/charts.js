// Charts drawn as inline SVG by the console itself (no library): stacked bars over time and
// horizontal bars. Colours come from the stylesheet (classes), never from inline styles.
import { h, s } from './dom.js'

let chartSeq = 0

function niceMax (max) {
  if (max <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (max <= step * power) return step * power
  }
  return 10 * power
}

function legend (series) {
  return h('ul', { class: 'legend' }, series.map((x) => h('li', null,
    s('svg', { width: '12', height: '12', 'aria-hidden': 'true' }, s('rect', { width: '12', height: '12', class: x.cls })), ' ', x.label)))
}

/**
 * Stacked bars, one per bucket: `buckets` [{ label, values: { [series key]: n } }], `series`
 * [{ key, label, cls }]. `format` renders a total (an axis label).
 */
export function stackedBars ({ title, description, buckets, series, format = String, tickEvery = 1 }) {
  const id = `chart-${++chartSeq}`
  const width = 720
  const height = 220
  const left = 44
  const bottom = 28
  const top = 8
  const plotW = width - left - 8
  const plotH = height - top - bottom
  const totals = buckets.map((b) => series.reduce((sum, x) => sum + (b.values[x.key] ?? 0), 0))
  const max = niceMax(Math.max(0, ...totals))
  const slot = buckets.length === 0 ? plotW : plotW / buckets.length
  const barW = Math.max(1, slot * 0.7)
  const y = (v) => top + plotH - (v / max) * plotH

  const grid = [0, 0.5, 1].map((f) => s('g', null,
    s('line', { x1: left, x2: width - 8, y1: y(max * f), y2: y(max * f), class: 'gridline' }),
    s('text', { x: left - 6, y: y(max * f) + 4, class: 'axis', 'text-anchor': 'end' }, format(max * f))))
  const bars = buckets.map((b, i) => {
    let base = 0
    const x = left + i * slot + (slot - barW) / 2
    const parts = series.map((ser) => {
      const v = b.values[ser.key] ?? 0
      if (v === 0) return null
      const rect = s('rect', { x, y: y(base + v), width: barW, height: Math.max(0, y(base) - y(base + v)), class: ser.cls },
        s('title', null, `${b.label}: ${ser.label} ${format(v)}`))
      base += v
      return rect
    })
    const tick = i % tickEvery === 0 ? s('text', { x: x + barW / 2, y: height - 10, class: 'axis', 'text-anchor': 'middle' }, b.shortLabel ?? b.label) : null
    return s('g', null, parts, tick)
  })
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: 'chart', preserveAspectRatio: 'xMidYMid meet' },
    s('title', { id: `${id}-title` }, title),
    s('desc', { id: `${id}-desc` }, description),
    grid, bars,
    s('line', { x1: left, x2: width - 8, y1: top + plotH, y2: top + plotH, class: 'baseline' }))
  return h('figure', { class: 'chart-figure' }, h('figcaption', null, title), svg, legend(series))
}

/** Horizontal bars: `items` [{ label, value }], largest first. */
export function horizontalBars ({ title, description, items, cls = 'series-rule' }) {
  const id = `chart-${++chartSeq}`
  const width = 720
  const row = 24
  const labelW = 230
  const height = Math.max(row, items.length * row) + 8
  const max = niceMax(Math.max(0, ...items.map((i) => i.value)))
  const plotW = width - labelW - 60
  const bars = items.map((item, i) => {
    const y = 4 + i * row
    const w = (item.value / max) * plotW
    return s('g', null,
      s('text', { x: labelW - 8, y: y + 15, class: 'axis', 'text-anchor': 'end' }, item.label),
      s('rect', { x: labelW, y: y + 3, width: Math.max(1, w), height: row - 8, class: cls }, s('title', null, `${item.label}: ${item.value}`)),
      s('text', { x: labelW + w + 6, y: y + 15, class: 'axis' }, String(item.value)))
  })
  return h('figure', { class: 'chart-figure' }, h('figcaption', null, title),
    s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: 'chart' },
      s('title', { id: `${id}-title` }, title), s('desc', { id: `${id}-desc` }, description), bars))
}
