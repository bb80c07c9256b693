import { featurePathReader } from '../engine/feature-path.js'
import type { FeatureValue } from '../engine/feature-path.js'
import type { Features } from '../engine/features.js'
import { VelocityKind } from '../engine/velocity-spec.js'
import type { VelocityCounterSpec } from '../engine/velocity-spec.js'

/** One window of one series, and the counter names that read it (two counters may share one). */
export interface PlannedWindow {
  windowMs: number
  names: string[]
}

/**
 * A `distinct` or `sum` series of one entity. `value` is this charge's value of `of`; when it is
 * unknown (absent, empty, or not a number for a sum) the series is read without adding anything:
 * the counters report the distinct values / sum of the other charges in the window.
 */
export interface PlannedDistinct {
  of: string
  value: FeatureValue | undefined
  windows: PlannedWindow[]
}

export interface PlannedSum {
  of: string
  value: number | undefined
  windows: PlannedWindow[]
}

/**
 * The counters of one entity: the charges sharing the same values of the `by` paths
 * (e.g. ip.address = 1.2.3.4, or card.bin + ip.address). The store updates all of them in one
 * atomic step.
 */
export interface PlannedEntity {
  /** the `by` paths, sorted: `[ip.address, card.bin]` and `[card.bin, ip.address]` are one entity */
  by: string[]
  /** raw values of `by`, in the same order; entityOps replaces them with the caller's digests (identify) */
  values: FeatureValue[]
  /** `count` windows (the charge itself is always counted) */
  counts: PlannedWindow[]
  distinct: PlannedDistinct[]
  sums: PlannedSum[]
  /** the longest window of this entity: how long its rings and distinct values are kept */
  retentionMs: number
}

export interface VelocityPlan {
  entities: PlannedEntity[]
  /** counters whose entity key is unknown for this charge: not counted and absent from the result */
  unknown: string[]
}

export type VelocityPlanner = (features: Features) => VelocityPlan

type Reader = ReturnType<typeof featurePathReader>

interface SeriesTemplate {
  of: string
  read: Reader
  windows: PlannedWindow[]
}

interface GroupTemplate {
  by: string[]
  /** readers of the `by` paths, in the same order */
  readBy: Reader[]
  names: string[]
  counts: PlannedWindow[]
  distinct: SeriesTemplate[]
  sums: SeriesTemplate[]
  retentionMs: number
}

function addWindow (windows: PlannedWindow[], windowMs: number, name: string): void {
  const existing = windows.find((w) => w.windowMs === windowMs)
  if (existing === undefined) windows.push({ windowMs, names: [name] })
  else existing.names.push(name)
}

function seriesFor (list: SeriesTemplate[], of: string): SeriesTemplate {
  let series = list.find((s) => s.of === of)
  if (series === undefined) {
    series = { of, read: featurePathReader(of), windows: [] }
    list.push(series)
    list.sort((a, b) => (a.of < b.of ? -1 : a.of > b.of ? 1 : 0))
  }
  return series
}

function known (value: FeatureValue | undefined): value is FeatureValue {
  return value !== undefined && value !== ''
}

/**
 * Compiles the rule set's velocity declarations once; the returned planner maps a charge's
 * features to the entities and series to update. Pure: no I/O, no clock, no hashing.
 *
 * - an entity whose `by` values are not all known (absent or empty string) is not counted, and its
 *   counters are listed in `unknown` and absent from the velocity signals (rules reading them are
 *   skipped);
 * - `distinct` with an unknown value reads the current distinct count without adding;
 * - `sum` with an unknown or non-numeric value reads the current sum without adding.
 */
export function createVelocityPlanner (specs: readonly VelocityCounterSpec[]): VelocityPlanner {
  const groups = new Map<string, GroupTemplate>()
  for (const spec of specs) {
    const by = [...spec.by].sort()
    const id = JSON.stringify(by)
    let group = groups.get(id)
    if (group === undefined) {
      group = { by, readBy: by.map(featurePathReader), names: [], counts: [], distinct: [], sums: [], retentionMs: 0 }
      groups.set(id, group)
    }
    const windowMs = spec.windowSeconds * 1000
    group.names.push(spec.name)
    group.retentionMs = Math.max(group.retentionMs, windowMs)
    if (spec.kind === VelocityKind.COUNT) {
      addWindow(group.counts, windowMs, spec.name)
    } else {
      if (spec.of === undefined) throw new Error(`velocity counter ${spec.name}: ${spec.kind} needs a value path`)
      const list = spec.kind === VelocityKind.DISTINCT ? group.distinct : group.sums
      addWindow(seriesFor(list, spec.of).windows, windowMs, spec.name)
    }
  }
  const templates = [...groups.values()]

  return function planVelocityFor (features: Features): VelocityPlan {
    const entities: PlannedEntity[] = []
    const unknown: string[] = []
    for (const group of templates) {
      const values: FeatureValue[] = []
      for (const read of group.readBy) {
        const value = read(features)
        if (!known(value)) break
        values.push(value)
      }
      if (values.length !== group.by.length) {
        unknown.push(...group.names)
        continue
      }
      entities.push({
        by: group.by,
        values,
        counts: group.counts,
        distinct: group.distinct.map((s) => {
          const value = s.read(features)
          return { of: s.of, value: known(value) ? value : undefined, windows: s.windows }
        }),
        sums: group.sums.map((s) => {
          const value = s.read(features)
          return { of: s.of, value: typeof value === 'number' && Number.isFinite(value) ? value : undefined, windows: s.windows }
        }),
        retentionMs: group.retentionMs
      })
    }
    return { entities, unknown }
  }
}

/** One-off form of createVelocityPlanner (compile once per rule set on the request path instead). */
export function planVelocity (specs: readonly VelocityCounterSpec[], features: Features): VelocityPlan {
  return createVelocityPlanner(specs)(features)
}
