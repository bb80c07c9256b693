/**
 * Small inline SVG charts for the self-contained HTML report: no script, no external asset.
 * Every text is escaped.
 */
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)
}

export interface Series {
  name: string
  color: string
  values: number[]
}

const FONT = 'font-family="system-ui, sans-serif" font-size="11"'
/** the width of one character of FONT, generously: labels are placed with it */
const CHAR_W = 6.6
const TEXT_H = 11

/**
 * Axis ticks at round values: a step of 1, 2 or 5 times a power of ten, at most `most` steps,
 * and the axis maximum, the first tick at or above `max` (`max` 0.187 -> step 0.05, 0..0.2).
 */
export function niceTicks (max: number, most = 5): { step: number, max: number, ticks: number[] } {
  const top = max > 0 && Number.isFinite(max) ? max : 1
  const raw = top / most
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = ([1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw - 1e-12) ?? 10 * magnitude)
  const steps = Math.max(1, Math.ceil(top / step - 1e-9))
  const ticks: number[] = []
  // integer multiples, rounded to the step's precision: no 0.30000000000000004
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1)
  for (let i = 0; i <= steps; i++) ticks.push(Number((i * step).toFixed(digits)))
  return { step, max: ticks[ticks.length - 1] as number, ticks }
}

type Named = { name: string, color: string }

/** legend entries in rows that fit `maxWidth` */
function legendRows (series: readonly Named[], maxWidth: number): Named[][] {
  const rows: Named[][] = [[]]
  let used = 0
  for (const s of series) {
    const w = 14 + s.name.length * CHAR_W + 16
    if (used > 0 && used + w > maxWidth) {
      rows.push([])
      used = 0
    }
    ;(rows[rows.length - 1] as Named[]).push(s)
    used += w
  }
  return rows
}

/** the legend, its last row's baseline at `y` */
function legend (rows: readonly Named[][], x: number, y: number): string {
  return rows.map((row, r) => {
    let at = x
    const baseline = y - (rows.length - 1 - r) * 14
    return row.map((s) => {
      const part = `<rect x="${at}" y="${baseline - 9}" width="10" height="10" fill="${s.color}"/>` +
        `<text x="${at + 14}" y="${baseline}" ${FONT}>${escapeHtml(s.name)}</text>`
      at += 14 + s.name.length * CHAR_W + 16
      return part
    }).join('')
  }).join('')
}

/** A vertical line across a bar chart, at a position in label units (2.5: halfway into the third group). */
export interface BarMarker {
  at: number
  label: string
  color: string
}

/**
 * Grouped vertical bars: one group per label, one bar per series; optional vertical markers.
 * `labelAt: 'start'` writes each label at the left edge of its group (a histogram's bin bounds).
 */
export function barChart (options: { title: string, labels: string[], series: Series[], format: (v: number) => string, width?: number, height?: number, markers?: BarMarker[], labelAt?: 'center' | 'start' }): string {
  const width = options.width ?? 640
  const height = options.height ?? 260
  const left = 64
  const right = 12
  const rows = legendRows(options.series, width - left - right)
  const bottom = 26 + rows.length * 14
  const top = 28
  const plotW = width - left - right
  const plotH = height - top - bottom
  const axis = niceTicks(Math.max(0, ...options.series.flatMap((s) => s.values)), 4)
  const max = axis.max
  const groupW = plotW / Math.max(1, options.labels.length)
  const barW = Math.max(1, (groupW * 0.8) / Math.max(1, options.series.length))
  const parts: string[] = []
  for (const v of axis.ticks) {
    const y = (top + plotH - (plotH * v) / max).toFixed(1)
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`)
    parts.push(`<text x="${left - 4}" y="${Number(y) + 4}" text-anchor="end" ${FONT}>${escapeHtml(options.format(v))}</text>`)
  }
  // label every group, or every other one when they would touch
  const every = Math.max(1, Math.ceil((Math.max(...options.labels.map((l) => l.length), 1) * CHAR_W + 4) / groupW))
  options.labels.forEach((label, g) => {
    const x0 = left + g * groupW + groupW * 0.1
    options.series.forEach((s, k) => {
      const v = s.values[g] ?? 0
      const h = (plotH * v) / max
      parts.push(`<rect x="${(x0 + k * barW).toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(barW * 0.92).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${escapeHtml(`${s.name}, ${label}: ${options.format(v)}`)}</title></rect>`)
    })
    if (g % every === 0) {
      const lx = options.labelAt === 'start' ? left + g * groupW : x0 + groupW * 0.4
      parts.push(`<text x="${lx.toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" ${FONT}>${escapeHtml(label)}</text>`)
    }
  })
  const markers = [...(options.markers ?? [])].sort((a, b) => a.at - b.at)
  let lastEnd = -Infinity
  markers.forEach((m, i) => {
    const x = left + Math.max(0, Math.min(options.labels.length, m.at)) * groupW
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${top}" y2="${top + plotH}" stroke="${m.color}" stroke-width="1.5" stroke-dasharray="4 3"><title>${escapeHtml(m.label)}</title></line>`)
    // the label to the left of its line, or to the right when it would overflow or touch the previous one
    const w = m.label.length * CHAR_W
    let lx = x - 3 - w
    if (lx < left || lx < lastEnd + 4) lx = x + 3
    if (lx + w > width - right) lx = Math.max(left, width - right - w)
    const ly = top + 10 + (i % 2) * (TEXT_H + 2)
    parts.push(`<text x="${lx.toFixed(1)}" y="${ly}" ${FONT} fill="${m.color}">${escapeHtml(m.label)}</text>`)
    lastEnd = lx + w
  })
  parts.push(legend(rows, left, height - 6))
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}">` +
    `<text x="${left}" y="16" ${FONT} font-weight="bold">${escapeHtml(options.title)}</text>${parts.join('')}</svg>`
}

export interface LineSeries {
  name: string
  color: string
  /** x and y in 0..1; `label` on the points to name */
  points: Array<{ x: number, y: number, label?: string }>
}

export interface Marker {
  name: string
  color: string
  x: number
  y: number
}

interface Box { x: number, y: number, w: number, h: number }

function overlaps (a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

/**
 * Lines on a plane of shares (a threshold curve): x from 0 to `xMax` (ticks at round values), y
 * from 0 to 100%, with labelled points and circled markers. Nothing is drawn outside the axes:
 * the parts of lines beyond `xMax` are clipped, points there are not labelled, and a label that
 * would overlap another one or leave the plot is moved, or left out (points at one place share a
 * label: `80-100`).
 */
export function curveChart (options: { title: string, xLabel: string, yLabel: string, series: LineSeries[], markers: Marker[], xMax?: number, width?: number, height?: number }): string {
  const width = options.width ?? 520
  const height = options.height ?? 400
  const left = 64
  const right = 24
  const top = 28
  const rows = legendRows([...options.series, ...options.markers], width - left - right)
  const bottom = 42 + rows.length * 14
  const plotW = width - left - right
  const plotH = height - top - bottom
  const xAxis = niceTicks(options.xMax ?? 1, 5)
  const xMax = xAxis.max
  const X = (x: number): number => left + (x / xMax) * plotW
  const Y = (y: number): number => top + plotH - y * plotH
  const f = (v: number): string => v.toFixed(1)
  const parts: string[] = []
  const pct = (v: number): string => `${Number((v * 100).toPrecision(6))}%`
  for (const y of [0, 0.2, 0.4, 0.6, 0.8, 1]) {
    parts.push(`<line x1="${left}" x2="${f(X(xMax))}" y1="${f(Y(y))}" y2="${f(Y(y))}" stroke="#e3e3e3"/>`)
    parts.push(`<text x="${left - 4}" y="${f(Y(y) + 4)}" text-anchor="end" ${FONT}>${pct(y)}</text>`)
  }
  for (const x of xAxis.ticks) {
    parts.push(`<line x1="${f(X(x))}" x2="${f(X(x))}" y1="${top}" y2="${f(Y(0))}" stroke="#e3e3e3"/>`)
    parts.push(`<text x="${f(X(x))}" y="${f(Y(0) + 14)}" text-anchor="middle" ${FONT}>${pct(x)}</text>`)
  }
  parts.push(`<text x="${f(X(xMax / 2))}" y="${f(Y(0) + 30)}" text-anchor="middle" ${FONT}>${escapeHtml(options.xLabel)}</text>`)
  parts.push(`<text x="14" y="${f(Y(0.5))}" text-anchor="middle" transform="rotate(-90 14 ${f(Y(0.5))})" ${FONT}>${escapeHtml(options.yLabel)}</text>`)

  const plot: Box = { x: left, y: top, w: plotW, h: plotH }
  const inside = (p: { x: number, y: number }): boolean => p.x >= 0 && p.x <= xMax + 1e-12 && p.y >= 0 && p.y <= 1
  // markers first: labels keep clear of them
  const taken: Box[] = options.markers.filter(inside).map((m) => ({ x: X(m.x) - 7, y: Y(m.y) - 7, w: 14, h: 14 }))
  const clip = `clip-${options.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`
  parts.push(`<clipPath id="${clip}"><rect x="${left}" y="${top - 3}" width="${plotW}" height="${plotH + 6}"/></clipPath>`)
  const labels: string[] = []
  for (const s of options.series) {
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(X(p.x))},${f(Y(p.y))}`).join(' ')
    parts.push(`<g clip-path="url(#${clip})"><path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/></g>`)
    // labelled points inside the plot; consecutive points whose labels would touch share one
    const named = s.points.filter((p) => p.label !== undefined && inside(p))
    const groups: Array<{ x: number, y: number, labels: string[] }> = []
    for (const p of named) {
      const last = groups[groups.length - 1]
      if (last !== undefined && Math.abs(X(last.x) - X(p.x)) <= 3 && Math.abs(Y(last.y) - Y(p.y)) <= TEXT_H + 2) last.labels.push(p.label as string)
      else groups.push({ x: p.x, y: p.y, labels: [p.label as string] })
    }
    for (const g of groups) {
      const text = g.labels.length === 1 ? g.labels[0] as string : `${g.labels[0] as string}-${g.labels[g.labels.length - 1] as string}`
      const cx = X(g.x)
      const cy = Y(g.y)
      parts.push(`<circle cx="${f(cx)}" cy="${f(cy)}" r="2.5" fill="${s.color}"><title>${escapeHtml(g.labels.join(', '))}</title></circle>`)
      const w = text.length * CHAR_W
      // beside the point, then clear of a marker circled on it
      const candidates: Box[] = [4, 9].flatMap((d) => [
        { x: cx + d, y: cy - 4 - TEXT_H, w, h: TEXT_H },
        { x: cx + d, y: cy + 4, w, h: TEXT_H },
        { x: cx + d, y: cy - TEXT_H / 2, w, h: TEXT_H },
        { x: cx - d - w, y: cy - 4 - TEXT_H, w, h: TEXT_H },
        { x: cx - d - w, y: cy + 4, w, h: TEXT_H }
      ])
      const box = candidates.find((b) => b.x >= plot.x && b.x + b.w <= plot.x + plot.w && b.y >= plot.y && b.y + b.h <= plot.y + plot.h && !taken.some((t) => overlaps(b, t)))
      if (box === undefined) continue
      taken.push(box)
      labels.push(`<text x="${f(box.x)}" y="${f(box.y + TEXT_H - 2)}" ${FONT} fill="#555">${escapeHtml(text)}</text>`)
    }
  }
  parts.push(...labels)
  for (const m of options.markers.filter(inside)) {
    parts.push(`<circle cx="${f(X(m.x))}" cy="${f(Y(m.y))}" r="6" fill="none" stroke="${m.color}" stroke-width="2.5"><title>${escapeHtml(m.name)}</title></circle>`)
  }
  parts.push(legend(rows, left, height - 6))
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}">` +
    `<text x="${left}" y="16" ${FONT} font-weight="bold">${escapeHtml(options.title)}</text>${parts.join('')}</svg>`
}

/** A horizontal bar for a table cell, `fraction` of `width` pixels. */
export function inlineBar (fraction: number, color: string, width = 120): string {
  const w = Math.max(0, Math.min(1, fraction)) * width
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="10"><rect width="${width}" height="10" fill="#f0f0f0"/><rect width="${w.toFixed(1)}" height="10" fill="${color}"/></svg>`
}
