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

function niceMax (max: number): number {
  if (max <= 0) return 1
  const magnitude = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= max) return step * magnitude
  return 10 * magnitude
}

function legend (series: ReadonlyArray<{ name: string, color: string }>, x: number, y: number): string {
  return series.map((s, i) => `<rect x="${x + i * 130}" y="${y - 9}" width="10" height="10" fill="${s.color}"/>` +
    `<text x="${x + i * 130 + 14}" y="${y}" ${FONT}>${escapeHtml(s.name)}</text>`).join('')
}

/** Grouped vertical bars: one group per label, one bar per series. */
export function barChart (options: { title: string, labels: string[], series: Series[], format: (v: number) => string, width?: number, height?: number }): string {
  const width = options.width ?? 640
  const height = options.height ?? 260
  const left = 64
  const bottom = 40
  const top = 28
  const plotW = width - left - 12
  const plotH = height - top - bottom
  const max = niceMax(Math.max(0, ...options.series.flatMap((s) => s.values)))
  const groupW = plotW / Math.max(1, options.labels.length)
  const barW = Math.max(1, (groupW * 0.8) / Math.max(1, options.series.length))
  const parts: string[] = []
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4
    const y = top + plotH - (plotH * i) / 4
    parts.push(`<line x1="${left}" x2="${width - 12}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`)
    parts.push(`<text x="${left - 4}" y="${y + 4}" text-anchor="end" ${FONT}>${escapeHtml(options.format(v))}</text>`)
  }
  options.labels.forEach((label, g) => {
    const x0 = left + g * groupW + groupW * 0.1
    options.series.forEach((s, k) => {
      const v = s.values[g] ?? 0
      const h = (plotH * v) / max
      parts.push(`<rect x="${(x0 + k * barW).toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(barW * 0.92).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${escapeHtml(`${s.name}, ${label}: ${options.format(v)}`)}</title></rect>`)
    })
    if (options.labels.length <= 12 || g % 2 === 0) {
      parts.push(`<text x="${(x0 + groupW * 0.4).toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" ${FONT}>${escapeHtml(label)}</text>`)
    }
  })
  parts.push(legend(options.series, left, height - 6))
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}">` +
    `<text x="${left}" y="16" ${FONT} font-weight="bold">${escapeHtml(options.title)}</text>${parts.join('')}</svg>`
}

export interface LineSeries {
  name: string
  color: string
  /** x and y in 0..1 */
  points: Array<{ x: number, y: number, label?: string }>
}

export interface Marker {
  name: string
  color: string
  x: number
  y: number
}

/** Lines on a 0..100% by 0..100% plane (a threshold curve), with labelled points and markers. */
export function curveChart (options: { title: string, xLabel: string, yLabel: string, series: LineSeries[], markers: Marker[], xMax?: number, width?: number, height?: number }): string {
  const width = options.width ?? 520
  const height = options.height ?? 400
  const left = 56
  const top = 28
  const bottom = 56
  const plotW = width - left - 16
  const plotH = height - top - bottom
  const xMax = options.xMax ?? 1
  const px = (x: number): string => (left + (x / xMax) * plotW).toFixed(1)
  const py = (y: number): string => (top + plotH - y * plotH).toFixed(1)
  const parts: string[] = []
  const pct = (v: number): string => `${Number((v * 100).toPrecision(3))}%`
  for (let i = 0; i <= 4; i++) {
    const f = i / 4
    parts.push(`<line x1="${left}" x2="${px(xMax)}" y1="${py(f)}" y2="${py(f)}" stroke="#e3e3e3"/>`)
    parts.push(`<line x1="${px(f * xMax)}" x2="${px(f * xMax)}" y1="${top}" y2="${py(0)}" stroke="#e3e3e3"/>`)
    parts.push(`<text x="${left - 4}" y="${Number(py(f)) + 4}" text-anchor="end" ${FONT}>${pct(f)}</text>`)
    parts.push(`<text x="${px(f * xMax)}" y="${Number(py(0)) + 14}" text-anchor="middle" ${FONT}>${pct(f * xMax)}</text>`)
  }
  parts.push(`<text x="${px(xMax / 2)}" y="${Number(py(0)) + 30}" text-anchor="middle" ${FONT}>${escapeHtml(options.xLabel)}</text>`)
  // points beyond xMax are clipped, not squeezed
  const clip = `clip-${options.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`
  parts.push(`<clipPath id="${clip}"><rect x="${left}" y="${top - 6}" width="${plotW + 6}" height="${plotH + 6}"/></clipPath><g clip-path="url(#${clip})">`)
  parts.push(`<text x="14" y="${py(0.5)}" text-anchor="middle" transform="rotate(-90 14 ${py(0.5)})" ${FONT}>${escapeHtml(options.yLabel)}</text>`)
  for (const s of options.series) {
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x)},${py(p.y)}`).join(' ')
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`)
    for (const p of s.points) {
      if (p.label === undefined) continue
      parts.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="2.5" fill="${s.color}"><title>${escapeHtml(p.label)}</title></circle>`)
      parts.push(`<text x="${Number(px(p.x)) + 4}" y="${Number(py(p.y)) - 4}" ${FONT} fill="#555">${escapeHtml(p.label)}</text>`)
    }
  }
  parts.push('</g>')
  for (const m of options.markers) {
    parts.push(`<circle cx="${px(m.x)}" cy="${py(m.y)}" r="6" fill="none" stroke="${m.color}" stroke-width="2.5"><title>${escapeHtml(m.name)}</title></circle>`)
  }
  parts.push(legend([...options.series, ...options.markers], left, height - 6))
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}">` +
    `<text x="${left}" y="16" ${FONT} font-weight="bold">${escapeHtml(options.title)}</text>${parts.join('')}</svg>`
}

/** A horizontal bar for a table cell, `fraction` of `width` pixels. */
export function inlineBar (fraction: number, color: string, width = 120): string {
  const w = Math.max(0, Math.min(1, fraction)) * width
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="10"><rect width="${width}" height="10" fill="#f0f0f0"/><rect width="${w.toFixed(1)}" height="10" fill="${color}"/></svg>`
}
