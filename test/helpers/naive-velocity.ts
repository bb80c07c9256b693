import { readFeaturePath } from '../../src/engine/feature-path.js'
import type { Features } from '../../src/engine/features.js'
import { VelocityKind } from '../../src/engine/velocity-spec.js'
import type { VelocityCounterSpec } from '../../src/engine/velocity-spec.js'

export interface NaiveCharge {
  atMs: number
  features: Features
}

function known (value: unknown): boolean {
  return value !== undefined && value !== ''
}

/**
 * A counter's value for every charge, recounted the slow and obvious way from the charges before
 * it (in the order given, time order) and itself, with the semantics of docs/velocity.md:
 * `distinct` counts the values last seen within (t - W, t]; `count` and `sum` add the charges
 * whose bucket (width W/60, aligned on multiples of it) is one of the 60 ending with t's bucket.
 * Undefined when the charge lacks a key path (the counter is unknown).
 */
export function naiveCounter (charges: readonly NaiveCharge[], spec: VelocityCounterSpec): Array<number | undefined> {
  const windowMs = spec.windowSeconds * 1000
  const width = windowMs / 60
  const keyOf = (f: Features): string | undefined => {
    const parts = spec.by.map((path) => readFeaturePath(f, path))
    return parts.every(known) ? JSON.stringify(parts) : undefined
  }
  const keys = charges.map((c) => keyOf(c.features))
  return charges.map((charge, i) => {
    const key = keys[i]
    if (key === undefined) return undefined
    const t = charge.atMs
    const same = charges.slice(0, i + 1).filter((_, j) => keys[j] === key)
    if (spec.kind === VelocityKind.DISTINCT) {
      const values = new Set<unknown>()
      for (const c of same) {
        const value = readFeaturePath(c.features, spec.of as string)
        if (known(value) && c.atMs > t - windowMs) values.add(value)
      }
      return values.size
    }
    const bucket = Math.floor(t / width)
    let total = 0
    for (const c of same) {
      if (Math.floor(c.atMs / width) < bucket - 59) continue
      if (spec.kind === VelocityKind.COUNT) total += 1
      else {
        const value = readFeaturePath(c.features, spec.of as string)
        if (typeof value === 'number' && Number.isFinite(value)) total += Math.trunc(value)
      }
    }
    return total
  })
}
