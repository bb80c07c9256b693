import { readFeaturePath } from '../engine/feature-path.js'
import type { Features } from '../engine/features.js'
import type { VelocityCounterSpec } from '../engine/velocity-spec.js'
import type { VelocitySignals } from '../schemas/signals.js'
import { createMemoryVelocityStore } from '../velocity/memory-store.js'
import type { MemoryVelocityStore } from '../velocity/memory-store.js'
import { createVelocityPlanner } from '../velocity/plan.js'
import type { VelocityPlanner } from '../velocity/plan.js'
import type { Identify } from '../velocity/store.js'

/**
 * The bounds of a backtest's velocity store: larger than the service's (200,000 entities,
 * 2,000,000 cells), since a backtest holds little else. docs/velocity.md measures about 600 bytes
 * per entity of the default rule set and 97 bytes per cell of busy entities: at most about 0.6 GB.
 */
export const BACKTEST_MAX_ENTITIES = 1_000_000
export const BACKTEST_MAX_CELLS = 6_000_000

export interface VelocityLimits {
  maxEntities: number
  maxCells: number
}

/** what encodeURIComponent leaves as it is, and base64url is made of */
const DIGEST_SAFE = /^[A-Za-z0-9_-]+$/

/**
 * `identify` for recorded features. Recorded identifiers (ip.address, email.address,
 * card.fingerprint, customer.id...) are the keyed digests the live request computed, the very
 * digests its velocity keys and distinct values were made of: a digest (base64url) is returned
 * unchanged, so an entity's key is the key the live store used (`ip.address:<digest>`). Values
 * kept in clear (a BIN, a postal code, an amount) get a key of this replay only: percent-encoded,
 * which is injective, never empty and never holds `{` or `}`.
 */
export const recordedIdentify: Identify = (_path, value) => typeof value === 'string' && DIGEST_SAFE.test(value) ? value : encodeURIComponent(String(value))

/** a counter's definition without its name: counters defined alike count alike */
function definitionOf (spec: VelocityCounterSpec): string {
  return JSON.stringify([spec.kind, spec.of ?? null, [...spec.by].sort(), spec.windowSeconds])
}

/** what one side (a rule set) reads from the shared store */
interface SideCounters {
  specs: readonly VelocityCounterSpec[]
  byName: ReadonlyMap<string, VelocityCounterSpec>
  /** [the side's name, the store's name] of each counter; null when they are the same */
  names: Array<[string, string]> | null
}

/**
 * Recounts velocity counters from recorded decisions: each record is counted, in the order given
 * (time order), in an in-process velocity store (src/velocity/memory-store.ts, the code that
 * counts live charges without Redis) and gets the values the counters would have had live, the
 * charge itself included.
 *
 * Several rule sets (the candidate and the current one) share one store: it counts the union of
 * their declarations, each definition once (two sets declaring `charges_per_ip_1h` alike share
 * its ring), and each set reads its own counters under its own names. A counter's value depends
 * only on its definition and the charges, so sharing changes no value.
 */
export class VelocityReplay {
  /** the counters the store counts (the union, named `c0`, `c1`... when sides share it) */
  readonly specs: readonly VelocityCounterSpec[]
  private readonly sides: SideCounters[]
  private readonly plan: VelocityPlanner
  private readonly store: MemoryVelocityStore

  constructor (sides: ReadonlyArray<readonly VelocityCounterSpec[]>, limits: VelocityLimits) {
    if (sides.length === 1) {
      const specs = sides[0] as readonly VelocityCounterSpec[]
      this.specs = specs
      this.sides = [{ specs, byName: new Map(specs.map((s) => [s.name, s])), names: null }]
    } else {
      const union = new Map<string, VelocityCounterSpec>()
      this.sides = sides.map((specs) => ({
        specs,
        byName: new Map(specs.map((s) => [s.name, s])),
        names: specs.map((spec): [string, string] => {
          const definition = definitionOf(spec)
          let shared = union.get(definition)
          if (shared === undefined) {
            shared = { ...spec, name: `c${union.size}` }
            union.set(definition, shared)
          }
          return [spec.name, shared.name]
        })
      }))
      this.specs = [...union.values()]
    }
    this.plan = createVelocityPlanner(this.specs)
    this.store = createMemoryVelocityStore({ maxEntities: limits.maxEntities, maxCells: limits.maxCells })
  }

  /**
   * Counts one charge at `atMs` and returns, for each side, its counter values and the counters
   * whose key the charge lacks (no email for a counter by email): absent from the values, as live.
   */
  count (features: Features, atMs: number): Array<{ values: VelocitySignals, unknown: readonly string[] }> {
    const plan = this.plan(features)
    const values = this.store.recordSync({ atMs, plan, identify: recordedIdentify })
    return this.sides.map((side) => {
      if (side.names === null) return { values, unknown: plan.unknown }
      const own: VelocitySignals = {}
      const unknown: string[] = []
      for (const [name, id] of side.names) {
        const value = values[id]
        if (value === undefined) unknown.push(name)
        else own[name] = value
      }
      return { values: own, unknown }
    })
  }

  /** the key paths of a side's `counter` that `features` lacks (why it is unknown) */
  missingKeyPaths (side: number, counter: string, features: Features): string[] {
    const spec = this.sides[side]?.byName.get(counter)
    if (spec === undefined) return []
    return spec.by.filter((path) => {
      const value = readFeaturePath(features, path)
      return value === undefined || value === ''
    })
  }

  /** the names of the counters counted, as the sides call them */
  counterNames (): string[] {
    return [...new Set(this.sides.flatMap((side) => side.specs.map((s) => s.name)))]
  }

  stats (): { entities: number, cells: number, forgotten: number } {
    return this.store.stats()
  }
}
