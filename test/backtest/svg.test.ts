import t from 'tap'
import { barChart, curveChart, niceTicks } from '../../src/backtest/svg.js'
import type { LineSeries } from '../../src/backtest/svg.js'

t.test('axis ticks are round: steps of 1, 2 or 5 times a power of ten', async (t) => {
  const cases: Array<[number, number, number[]]> = [
    [0.187, 5, [0, 0.05, 0.1, 0.15, 0.2]],
    [0.25, 5, [0, 0.05, 0.1, 0.15, 0.2, 0.25]],
    [0.0625, 5, [0, 0.02, 0.04, 0.06, 0.08]],
    [1, 5, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0.01, 5, [0, 0.002, 0.004, 0.006, 0.008, 0.01]],
    [0.003, 5, [0, 0.001, 0.002, 0.003]],
    [2300, 4, [0, 1000, 2000, 3000]],
    [0.8, 4, [0, 0.2, 0.4, 0.6, 0.8]],
    [0, 5, [0, 0.2, 0.4, 0.6, 0.8, 1]]
  ]
  for (const [max, most, ticks] of cases) {
    const axis = niceTicks(max, most)
    t.same(axis.ticks, ticks, `max ${max}`)
    t.ok(axis.max >= max && axis.ticks.length - 1 <= most + 1)
    for (const tick of axis.ticks) {
      const mantissa = Number((tick / 10 ** Math.floor(Math.log10(axis.step))).toPrecision(12))
      t.ok(Number.isInteger(mantissa), `${tick} is a whole number of steps`, { diagnostic: false })
    }
  }
})

interface Text { x: number, y: number, anchor: string, text: string }

function texts (svg: string): Text[] {
  return [...svg.matchAll(/<text x="([\d.-]+)" y="([\d.-]+)"(?: text-anchor="(\w+)")?[^>]*>([^<]*)<\/text>/g)]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), anchor: m[3] ?? 'start', text: m[4] as string }))
}

/** the box of a text, as the charts measure it (6.6 px a character, 11 px high) */
function box (text: Text): { x: number, y: number, w: number, h: number } {
  const w = text.text.length * 6.6
  const x = text.anchor === 'middle' ? text.x - w / 2 : text.anchor === 'end' ? text.x - w : text.x
  return { x, y: text.y - 9, w, h: 11 }
}

const CURVE: LineSeries = {
  name: 'candidate',
  color: '#00f',
  // thresholds 0..100: good share falls fast, fraud share slowly; 80..100 on one spot
  points: Array.from({ length: 101 }, (_, i) => {
    const good = i >= 80 ? 0 : Math.max(0, 0.6 - i * 0.012)
    const fraud = i >= 80 ? 0.02 : Math.max(0.05, 1 - i * 0.009)
    return { x: good, y: fraud, ...(i >= 30 && i % 10 === 0 ? { label: String(i) } : {}) }
  })
}

t.test('the threshold chart: round ticks, nothing beyond its axes, no label over another', async (t) => {
  const svg = curveChart({
    title: 'Fraud caught vs good charges blocked, by block threshold',
    xMax: 0.24,
    xLabel: 'good charges blocked (share of good)',
    yLabel: 'fraud caught (share of fraud)',
    series: [CURVE],
    markers: [{ name: 'current decisions', color: '#000', x: 0.01, y: 0.5 }, { name: 'candidate as configured', color: '#00f', x: 0, y: 0.02 }]
  })
  const width = Number(/width="(\d+)"/.exec(svg)?.[1])
  const height = Number(/height="(\d+)"/.exec(svg)?.[1])
  const all = texts(svg)
  const xTicks = all.filter((x) => x.anchor === 'middle' && /%$/.test(x.text)).map((x) => x.text)
  t.same(xTicks, ['0%', '5%', '10%', '15%', '20%', '25%'], 'x ticks at round values, up to the first one past 24%')
  t.same(all.filter((x) => x.anchor === 'end').map((x) => x.text), ['0%', '20%', '40%', '60%', '80%', '100%'])
  for (const x of all) {
    if (x.text.startsWith('Fraud caught vs') || /share of/.test(x.text)) continue
    const b = box(x)
    t.ok(b.x >= 0 && b.x + b.w <= width && b.y >= 0 && b.y + b.h <= height, `"${x.text}" within the chart`, { diagnostic: false })
  }
  const labels = all.filter((x) => /^\d+(-\d+)?$/.test(x.text))
  t.ok(['30', '40', '50'].every((l) => labels.some((x) => x.text === l)), 'thresholds 30 to 50 are on the chart')
  t.ok(labels.some((x) => x.text === '80-100'), 'points on one spot share a label')
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = box(labels[i] as Text)
      const b = box(labels[j] as Text)
      t.notOk(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h, `${labels[i]?.text} and ${labels[j]?.text} do not overlap`, { diagnostic: false })
    }
  }
  t.match(svg, /<clipPath id="clip-[^"]+"><rect x="64" y="25" width="432"/, 'lines are clipped to the plot')
  t.notMatch(svg, /<g clip-path[^>]*><text/, 'the axis title is not clipped away')
})

t.test('bar charts: round value ticks, bin labels at bin starts, threshold markers', async (t) => {
  const svg = barChart({
    title: 'Score distribution',
    labels: Array.from({ length: 21 }, (_, i) => String(i * 5)),
    series: [{ name: 'fraud', color: '#f00', values: Array.from({ length: 21 }, (_, i) => (i === 14 ? 0.23 : 0.01)) }],
    format: (v) => `${Number((v * 100).toPrecision(6))}%`,
    labelAt: 'start',
    markers: [{ at: 10, label: 'review 50', color: '#c80' }, { at: 16, label: 'block 80', color: '#b00' }]
  })
  const all = texts(svg)
  t.same(all.filter((x) => x.anchor === 'end').map((x) => x.text), ['0%', '10%', '20%', '30%'])
  const fifty = all.find((x) => x.text === '50')
  const line = /<line x1="([\d.]+)" x2="[\d.]+" y1="\d+" y2="[\d.]+" stroke="#c80"/.exec(svg)
  t.ok(fifty !== undefined && line !== null && Math.abs(fifty.x - Number(line[1])) < 0.5, 'the review marker is on the label of its bin start')
  t.ok(all.some((x) => x.text === 'review 50') && all.some((x) => x.text === 'block 80'))
})
