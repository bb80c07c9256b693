/**
 * The benchmark's targets: each figure measured in the run, its limit, and whether it was met.
 * A target whose phase was skipped is listed as skipped and neither met nor missed.
 */
import { fixed, log } from './stats.js'

export const TARGETS = {
  evaluate200Us: 20,
  readyMs: 2000,
  rssMb: 300,
  // load, 50 connections: riskgate / baseline
  serverCpuRatio: 2.5,
  redisCpuRatio: 1.5,
  throughputRatio: 0.4,
  p99Ratio: 2.5,
  // steady rate: riskgate minus baseline
  steadyP50AddedMs: 1,
  steadyP99AddedMs: 2,
  /** the steady phase's answers per second, at least this share of the rate asked for */
  steadyRateShare: 0.95,
  memoryBytesPerCharge: 1024,
  hotCardCpuRatio: 1.2
} as const

export interface Target {
  phase: string
  name: string
  value: number
  limit: number
  at: '<=' | '>=' | '<'
  unit: string
  /** undefined: its phase was skipped */
  ok: boolean | undefined
}

export interface TargetList {
  list: Target[]
  check: (phase: string, name: string, value: number, at: Target['at'], limit: number, unit: string) => void
  /** a target whose phase did not run */
  skipped: (phase: string, name: string, at: Target['at'], limit: number, unit: string) => void
  missed: () => boolean
  print: () => void
}

export function targetList (): TargetList {
  const list: Target[] = []
  return {
    list,
    check (phase, name, value, at, limit, unit) {
      const ok = Number.isFinite(value) && (at === '<=' ? value <= limit : at === '<' ? value < limit : value >= limit)
      list.push({ phase, name, value, limit, at, unit, ok })
    },
    skipped (phase, name, at, limit, unit) {
      list.push({ phase, name, value: Number.NaN, limit, at, unit, ok: undefined })
    },
    missed: () => list.some((t) => t.ok === false),
    print () {
      log('targets')
      for (const t of list) {
        const state = t.ok === undefined ? 'skip' : t.ok ? 'ok  ' : 'MISS'
        const value = t.ok === undefined ? '-' : fixed(t.value)
        log(`  ${state} ${`${t.phase}: ${t.name}`.padEnd(62)} ${value.padStart(10)} ${t.unit.padEnd(5)} (target ${t.at} ${t.limit} ${t.unit})`)
      }
    }
  }
}
