/** Small numeric and printing helpers of the benchmark. */

export interface Spread { median: number, min: number, max: number }

export function median (values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function spread (values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) }
}

/** the p-quantile (0..1) of ascending values: the smallest value with at least p of them at or below it */
export function percentile (sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number
}

export function sortedCopy (values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort()
}

export function fixed (n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n)
}

/** 12345.6 -> "12,346" */
export function grouped (n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : String(n)
}

export function log (line = ''): void {
  process.stdout.write(`${line}\n`)
}

export function spreadText (s: Spread, digits = 2): string {
  return `${fixed(s.median, digits)} [${fixed(s.min, digits)}..${fixed(s.max, digits)}]`
}

export async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}
