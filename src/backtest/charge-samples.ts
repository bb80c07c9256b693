import type { DecisionRecord } from '../decision-log/record.js'
import type { Decision } from '../schemas/decision.js'
import { seededRandom } from '../util/seeded-random.js'
import type { OutcomeClass } from './outcome.js'
import type { SideDecision } from './stats.js'

/** One charge as the report lists it: what was recorded, what each side decides. */
export interface ChargeRow {
  decision_id: string
  charge_id: string
  at: string
  amount: number
  currency: string
  /** the recorded outcome label, null without one */
  outcome: string | null
  /** how the backtest counts it (a blocked charge's outcome set aside counts as unlabelled) */
  outcome_class: OutcomeClass
  current: { decision: Decision, score: number, fired: string[] }
  candidate: { decision: Decision, score: number, fired: string[] }
}

/** The charges behind one figure of the report: how many, and a sample of them. */
export interface ChargeSet {
  /** what the figure counts, in words */
  label: string
  /** charges behind the figure */
  total: number
  /** the sample: places in ChargeSamples.rows, in time order */
  rows: number[]
}

/**
 * The charges behind the report's figures, for the HTML report to list when a figure is clicked:
 * for each figure (set key, see chargeSetLabel) up to `per_set` charges drawn at random (a
 * seeded reservoir sample, so the same input gives the same sample) from all the charges it counts.
 */
export interface ChargeSamples {
  per_set: number
  rows: ChargeRow[]
  sets: Record<string, ChargeSet>
}

/**
 * One figure's sample: Li's algorithm L (a reservoir sample that draws random numbers only for
 * the items it takes, so a figure counting millions of charges costs a comparison per charge).
 */
export interface Reservoir {
  seen: number
  rows: ChargeRow[]
  /** the count at which the next charge is taken */
  next: number
  w: number
}

/** `current` / `candidate` in set keys */
export type SideKey = 'current' | 'candidate'

const OUTCOME_WORDS: Readonly<Record<string, string>> = { fraud: 'fraud', good: 'good', unlabelled: 'without a usable outcome' }

/**
 * What a set key counts, in words. Keys: `outcome:<o>`, `decision:<side>:<d>`,
 * `cell:<side>:<d>:<o>`, `change:<current d>:<candidate d>`, `changed`, `rule:<side>:<id>[:<o>]`,
 * `shadow:<side>:<id>[:<o>]`, `without:<id>`, `threshold:<t>:<o>`, `fraud-allowed`,
 * `blocked-set-aside`, `replay-differs`, `current-replay-differs`, `precedence`.
 */
export function chargeSetLabel (key: string): string {
  const [kind, a = '', b = '', c = ''] = key.split(':')
  switch (kind) {
    case 'outcome': return `charges ${OUTCOME_WORDS[a] ?? a}`
    case 'decision': return `${a}: ${b}`
    case 'cell': return `${a}: ${b}, ${OUTCOME_WORDS[c] ?? c}`
    case 'change': return `current ${a}, candidate ${b}`
    case 'changed': return 'decisions that change'
    case 'rule':
    case 'shadow': return `${a} ${kind === 'shadow' ? 'shadow rule' : 'rule'} ${b}: hits${c === '' ? '' : ` that were ${OUTCOME_WORDS[c] ?? c}`}`
    case 'without': return `decisions that change without rule ${a}`
    case 'threshold': return `candidate with block threshold ${a}: ${b === 'fraud' ? 'fraud caught' : 'good charges blocked'}`
    case 'fraud-allowed': return 'fraud the candidate allows'
    case 'blocked-set-aside': return 'charges blocked live whose outcome is set aside'
    case 'replay-differs': return 'records of the candidate\'s rule set that replay differently'
    case 'current-replay-differs': return 'records of the current rule set that replay differently'
    case 'precedence': return 'records of an older engine that replay to another decision only because of the precedence change'
    default: return key
  }
}

function sideOf (d: SideDecision): ChargeRow['current'] {
  return { decision: d.decision, score: d.score, fired: [...d.fired] }
}

/**
 * Collects the samples while records stream: `begin` with each record, then `add` the key of
 * every figure it counts in. A row is built only when a sample takes it.
 */
export class ChargeSampler {
  private readonly perSet: number
  private readonly random: () => number
  private readonly sets = new Map<string, Reservoir>()
  private readonly byId = new Map<string, Map<string, Map<string, Reservoir>>>()
  private record: DecisionRecord | undefined
  private before: SideDecision | undefined
  private after: SideDecision | undefined
  private outcome: OutcomeClass = 'unlabelled'
  private row: ChargeRow | undefined

  constructor (perSet: number, seed = 1) {
    this.perSet = perSet
    this.random = seededRandom(seed)
  }

  begin (record: DecisionRecord, before: SideDecision, after: SideDecision, outcome: OutcomeClass): void {
    this.record = record
    this.before = before
    this.after = after
    this.outcome = outcome
    this.row = undefined
  }

  /** the row of the current record */
  current (): ChargeRow {
    if (this.row === undefined) {
      const r = this.record as DecisionRecord
      this.row = {
        decision_id: r.decision_id,
        charge_id: r.charge_id,
        at: r.at,
        amount: r.amount,
        currency: r.currency,
        outcome: r.outcome?.label ?? null,
        outcome_class: this.outcome,
        current: sideOf(this.before as SideDecision),
        candidate: sideOf(this.after as SideDecision)
      }
    }
    return this.row
  }

  /** the sample of a key: `take` it for each charge the key counts */
  set (key: string): Reservoir {
    let set = this.sets.get(key)
    if (set === undefined) {
      set = { seen: 0, rows: [], next: 0, w: 1 }
      this.sets.set(key, set)
    }
    return set
  }

  add (key: string): void {
    this.take(this.set(key))
  }

  /**
   * `add` for keys made of a fixed prefix and suffix around an id (`rule:candidate:` + id +
   * `:fraud`): the samples of each prefix and suffix are kept by id, so the key is put together
   * once per id, not once per charge.
   */
  addId (prefix: string, id: string, suffix = ''): void {
    let bySuffix = this.byId.get(prefix)
    if (bySuffix === undefined) {
      bySuffix = new Map()
      this.byId.set(prefix, bySuffix)
    }
    let byId = bySuffix.get(suffix)
    if (byId === undefined) {
      byId = new Map()
      bySuffix.set(suffix, byId)
    }
    let set = byId.get(id)
    if (set === undefined) {
      set = this.set(prefix + id + suffix)
      byId.set(id, set)
    }
    this.take(set)
  }

  /** counts the current record in a sample */
  take (set: Reservoir): void {
    const n = ++set.seen
    const k = this.perSet
    if (k === 0) return
    if (n <= k) {
      set.rows.push(this.current())
      if (n === k) {
        set.w = Math.exp(Math.log(this.uniform()) / k)
        set.next = n + this.skip(set.w)
      }
    } else if (n === set.next) {
      set.rows[Math.floor(this.random() * k)] = this.current()
      set.w *= Math.exp(Math.log(this.uniform()) / k)
      set.next = n + this.skip(set.w)
    }
  }

  /** in (0, 1): a logarithm's argument */
  private uniform (): number {
    let u = this.random()
    while (u === 0) u = this.random()
    return u
  }

  private skip (w: number): number {
    const gap = Math.floor(Math.log(this.uniform()) / Math.log(1 - w)) + 1
    return Number.isFinite(gap) ? gap : Number.MAX_SAFE_INTEGER
  }

  result (): ChargeSamples {
    const rows: ChargeRow[] = []
    const index = new Map<ChargeRow, number>()
    const sets: Record<string, ChargeSet> = {}
    const keys = [...this.sets.keys()].sort()
    for (const key of keys) {
      const set = this.sets.get(key) as Reservoir
      const sample = [...set.rows].sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0))
      sets[key] = {
        label: chargeSetLabel(key),
        total: set.seen,
        rows: sample.map((row) => {
          let at = index.get(row)
          if (at === undefined) {
            at = rows.length
            rows.push(row)
            index.set(row, at)
          }
          return at
        })
      }
    }
    return { per_set: this.perSet, rows, sets }
  }
}
