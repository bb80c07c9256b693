import path from 'node:path'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import type { SourceError } from '../engine/yaml-source.js'
import { checkRuleSet, mayGoLive, refusalReasons } from '../ruleset/go-live.js'
import { readRuleSetSource } from '../ruleset/load.js'
import { RuleSetError } from '../ruleset/rule-set-error.js'
import { sameRollout } from './rollout.js'
import type { Rollout } from './rollout.js'
import { counterConflicts } from './shared-counters.js'

/** A challenger rule set staged beside the live one. */
export interface StagedChallenger {
  readonly ruleSet: CompiledRuleSet
  /** the folder it was read from, absolute */
  readonly rulesDir: string
  readonly rollout: Rollout
  readonly stagedAt: Date
  /** who staged it: the API key id, `start` (RISKGATE_CHALLENGER_RULES), or a followed worker */
  readonly stagedBy: string
}

/** What the slot needs of the live rule set (src/plugins/rules.ts). */
export interface LiveRuleSet {
  readonly current: CompiledRuleSet
  promote: (ruleSet: CompiledRuleSet, rulesDir: string) => void
}

export interface ChallengerSlot {
  /** the staged challenger; read it once per request, beside the live set */
  readonly current: StagedChallenger | undefined
  /**
   * Reads the folder and stages it (replacing a staged challenger). Refused with a RuleSetError,
   * nothing changed, when it may not go live as the live set may not (compile or lint errors), or
   * when it declares a velocity counter of the live set's name otherwise. The same set from the
   * same folder with the same rollout leaves the staged challenger as it is (and returns it).
   */
  stage: (rulesDir: string, rollout: Rollout, actor: string) => Promise<StagedChallenger>
  /** unstages the challenger; undefined when none was */
  drop: () => Promise<StagedChallenger | undefined>
  /**
   * Makes the staged challenger the live set (later reloads read its folder) and empties the slot;
   * undefined when none is staged, or (with `hash`) when the staged one is not that set.
   */
  promote: (hash?: string) => Promise<StagedChallenger | undefined>
  /** the problems that refuse a live set reloaded while a challenger is staged (its counters) */
  checkLive: (next: CompiledRuleSet) => SourceError[]
}

/**
 * The challenger slot: at most one challenger at a time. Changes run one after the other, and each
 * swaps the references in one assignment, so a request that read the live set and the challenger
 * in one turn never sees half a change.
 */
export function createChallengerSlot (live: LiveRuleSet, now: () => Date = () => new Date()): ChallengerSlot {
  let current: StagedChallenger | undefined
  let queue: Promise<unknown> = Promise.resolve()
  const serial = async <T>(change: () => Promise<T> | T): Promise<T> => {
    const next = queue.then(change, change)
    queue = next.catch(() => undefined)
    return await next
  }

  return {
    get current () { return current },
    stage: async (rulesDir, rollout, actor) => await serial(async () => {
      const dir = path.resolve(rulesDir)
      const source = await readRuleSetSource(dir)
      const check = checkRuleSet(source)
      if (!mayGoLive(check)) throw new RuleSetError(refusalReasons(check))
      // checked against the set live now, in the turn the challenger is swapped in
      const conflicts = counterConflicts(check.ruleSet, live.current, 'live', source.text)
      if (conflicts.length > 0) throw new RuleSetError(conflicts)
      // the same set from the same folder with the same rollout: nothing changes
      if (current !== undefined && current.ruleSet.hash === check.ruleSet.hash && current.rulesDir === dir && sameRollout(current.rollout, rollout)) return current
      current = { ruleSet: check.ruleSet, rulesDir: dir, rollout, stagedAt: now(), stagedBy: actor }
      return current
    }),
    drop: async () => await serial(() => {
      const dropped = current
      current = undefined
      return dropped
    }),
    promote: async (hash) => await serial(() => {
      const promoted = current
      if (promoted === undefined || (hash !== undefined && promoted.ruleSet.hash !== hash)) return undefined
      live.promote(promoted.ruleSet, promoted.rulesDir)
      current = undefined
      return promoted
    }),
    checkLive: (next) => current === undefined ? [] : counterConflicts(next, current.ruleSet, 'challenger')
  }
}
