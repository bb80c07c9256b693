import { ChallengerAction, ReloadResult } from '../audit/rule-audit-log.js'
import type { AuditedChallenger, RuleAuditEntry, RuleAuditLog } from '../audit/rule-audit-log.js'
import type { AuditedReload, AuditLogger } from '../audit/reload-with-audit.js'
import { ReloadFailedError } from '../audit/reload-with-audit.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { displayPath } from '../ruleset/load.js'
import { RuleSetError } from '../ruleset/rule-set-error.js'
import type { ChallengerSlot, StagedChallenger } from './challenger-slot.js'
import { describeRollout, formatRolloutSetting, parseRolloutSetting } from './rollout.js'
import type { Rollout } from './rollout.js'

/** A change of the challenger as the other worker processes of this instance follow it (src/cluster/). */
export type ChallengerChange =
  | { action: typeof ChallengerAction.STAGE, rulesDir: string, rollout: string, hash: string }
  | { action: typeof ChallengerAction.DROP }
  | { action: typeof ChallengerAction.PROMOTE, rulesDir: string, hash: string }

/** The challenger's changes, each appended to the rule audit log (src/audit/rule-audit-log.ts). */
export interface ChallengerChanges {
  /** stages the folder's set; a set that may not be staged is audited `refused` (the entry says why) */
  stage: (rulesDir: string, rollout: Rollout, actor: string) => Promise<AuditedReload>
  /** undefined when no challenger is staged (nothing is audited) */
  drop: (actor: string) => Promise<AuditedReload | undefined>
  /** undefined when no challenger is staged (nothing is audited); `hash`: only that set */
  promote: (actor: string, hash?: string) => Promise<AuditedReload | undefined>
  /** applies a change made in another worker process of this instance */
  follow: (change: ChallengerChange, actor: string) => Promise<void>
}

export interface ChallengerChangesDeps {
  slot: ChallengerSlot
  live: { readonly current: CompiledRuleSet }
  audit: Pick<RuleAuditLog, 'append'>
  log: AuditLogger
  /** told of every change that took effect here (not of refused or unchanged ones) */
  onChanged?: (actor: string, change: ChallengerChange) => void
  now?: () => Date
}

function versionHash (ruleSet: CompiledRuleSet): { version: string, hash: string } {
  return { version: ruleSet.version, hash: ruleSet.hash }
}

function audited (staged: StagedChallenger): AuditedChallenger {
  return { rules_dir: displayPath(staged.rulesDir), ...describeRollout(staged.rollout), version: staged.ruleSet.version, hash: staged.ruleSet.hash }
}

/**
 * Stage, drop and promote, audited like reloads: every attempt is appended to the rule audit log
 * (who, when, the live set before, the challenger, the result and the `file:line:col` problems of
 * a refused one). An audit log that cannot be written does not stop a change (`audited: false`,
 * and an error in the service log); a fault of riskgate's is audited `failed` and rethrown.
 */
export function createChallengerChanges (deps: ChallengerChangesDeps): ChallengerChanges {
  const now = deps.now ?? (() => new Date())
  const { slot, log } = deps

  async function append (entry: RuleAuditEntry): Promise<AuditedReload> {
    let ok = true
    try {
      await deps.audit.append(entry)
    } catch (err) {
      ok = false
      log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, 'challenger change: the audit log could not be written')
    }
    const summary = { actor: entry.actor, action: entry.action, result: entry.result, live: entry.previous, challenger: entry.challenger, errors: entry.errors.length }
    if (entry.result === ReloadResult.REFUSED) log.warn(summary, `challenger ${entry.action ?? ''} refused`)
    else if (entry.result === ReloadResult.FAILED) log.error(summary, `challenger ${entry.action ?? ''} failed`)
    else log.info(summary, `challenger ${entry.action ?? ''}: ${entry.result}`)
    return { entry, audited: ok }
  }

  async function stage (rulesDir: string, rollout: Rollout, actor: string): Promise<AuditedReload> {
    const at = now().toISOString()
    const before = slot.current
    const previous = versionHash(deps.live.current)
    const asked: AuditedChallenger = { rules_dir: displayPath(rulesDir), ...describeRollout(rollout), version: null, hash: null }
    let staged: StagedChallenger
    try {
      staged = await slot.stage(rulesDir, rollout, actor)
    } catch (err) {
      if (err instanceof RuleSetError) {
        return await append({ at, actor, action: ChallengerAction.STAGE, result: ReloadResult.REFUSED, previous, loaded: null, errors: [...err.lines], challenger: asked })
      }
      const reload = await append({ at, actor, action: ChallengerAction.STAGE, result: ReloadResult.FAILED, previous, loaded: null, errors: ['internal error (see the service log)'], challenger: asked })
      throw new ReloadFailedError(reload, err)
    }
    const unchanged = staged === before
    const reload = await append({
      at, actor, action: ChallengerAction.STAGE, result: unchanged ? ReloadResult.UNCHANGED : ReloadResult.APPLIED, previous, loaded: versionHash(staged.ruleSet), errors: [], challenger: audited(staged)
    })
    if (!unchanged) deps.onChanged?.(actor, { action: ChallengerAction.STAGE, rulesDir: staged.rulesDir, rollout: formatRolloutSetting(staged.rollout), hash: staged.ruleSet.hash })
    return reload
  }

  async function drop (actor: string): Promise<AuditedReload | undefined> {
    const at = now().toISOString()
    const dropped = await slot.drop()
    if (dropped === undefined) return undefined
    const reload = await append({ at, actor, action: ChallengerAction.DROP, result: ReloadResult.APPLIED, previous: versionHash(deps.live.current), loaded: null, errors: [], challenger: audited(dropped) })
    deps.onChanged?.(actor, { action: ChallengerAction.DROP })
    return reload
  }

  async function promote (actor: string, hash?: string): Promise<AuditedReload | undefined> {
    const at = now().toISOString()
    const previous = versionHash(deps.live.current)
    const staged = slot.current
    if (staged === undefined) return undefined
    const promoted = await slot.promote(hash)
    if (promoted === undefined && slot.current === undefined) return undefined
    if (promoted === undefined) {
      // only a followed promotion names a hash: this process's challenger is another set
      const here = slot.current ?? staged
      const errors = [`the challenger staged here (${here.ruleSet.hash}) is not the set promoted (${hash ?? 'none'}): stage it again, or reload`]
      return await append({ at, actor, action: ChallengerAction.PROMOTE, result: ReloadResult.REFUSED, previous, loaded: null, errors, challenger: audited(here) })
    }
    const reload = await append({ at, actor, action: ChallengerAction.PROMOTE, result: ReloadResult.APPLIED, previous, loaded: versionHash(promoted.ruleSet), errors: [], challenger: audited(promoted) })
    deps.onChanged?.(actor, { action: ChallengerAction.PROMOTE, rulesDir: promoted.rulesDir, hash: promoted.ruleSet.hash })
    return reload
  }

  async function follow (change: ChallengerChange, actor: string): Promise<void> {
    if (change.action === ChallengerAction.STAGE) {
      const rollout = parseRolloutSetting(change.rollout)
      if (rollout === undefined) throw new TypeError(`a followed stage has a rollout riskgate does not read: ${change.rollout}`)
      await stage(change.rulesDir, rollout, actor)
    } else if (change.action === ChallengerAction.DROP) {
      await drop(actor)
    } else {
      await promote(actor, change.hash)
    }
  }

  return { stage, drop, promote, follow }
}
