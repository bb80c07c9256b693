/**
 * "Did you mean ...?" for names a rule file gets wrong: fields, counters, lists, keys, functions.
 * The distance is Damerau-Levenshtein's (optimal string alignment): an insertion, a deletion, a
 * substitution or a swap of two adjacent characters costs 1, so `countyr` is 1 from `country`.
 */

/** the edit distance of `a` and `b`, or `max + 1` as soon as it is known to exceed `max` */
export function editDistance (a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  // three rows of the matrix: two back (for swaps), the previous one and the current one
  let before: number[] = []
  let previous: number[] = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current: number[] = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1)
      current.push(d)
      if (d < rowMin) rowMin = d
    }
    if (rowMin > max) return max + 1
    before = previous
    previous = current
  }
  return previous[b.length] as number
}

/** how far a name may be from a known one to be suggested: 1 for short names, up to 3 */
export function tolerance (name: string): number {
  return name.length <= 4 ? 1 : name.length <= 8 ? 2 : 3
}

/**
 * The known names closest to `name`, the nearest first, at most `limit`: those at the smallest
 * distance found within tolerance(name) (a difference of case alone counts half an edit); none
 * when nothing is that close.
 */
export function closestNames (name: string, known: Iterable<string>, limit = 3): string[] {
  const lower = name.toLowerCase()
  const max = tolerance(name)
  const scored: Array<{ name: string, score: number }> = []
  for (const candidate of new Set(known)) {
    if (candidate === name) continue
    const d = editDistance(lower, candidate.toLowerCase(), max)
    if (d <= max) scored.push({ name: candidate, score: d === 0 ? 0.5 : d })
  }
  const best = Math.min(...scored.map((s) => s.score))
  return scored.filter((s) => s.score === best).map((s) => s.name).sort().slice(0, limit)
}

/** `a`, `a or b`, `a, b or c` */
export function orList (names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? ''
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1] as string}`
}

/** ` (did you mean x?)`, or '' without a suggestion */
export function didYouMean (names: readonly string[]): string {
  return names.length === 0 ? '' : ` (did you mean ${orList(names)}?)`
}
