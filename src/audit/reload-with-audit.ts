import type { CompiledRuleSet } from '../engine/ruleset.js'
import { RuleSetError } from '../ruleset/rule-set-error.js'
import { ReloadResult } from './rule-audit-log.js'
import type { RuleAuditEntry, RuleAuditLog } from './rule-audit-log.js'

export interface ReloadableRules {
  readonly current: CompiledRuleSet
  reload: () => Promise<CompiledRuleSet>
}

export interface AuditLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface AuditedReload {
  entry: RuleAuditEntry
  /** false when the audit log could not be written (the reload itself happened or not, as `entry` says) */
  audited: boolean
}

/** A reload that failed for a reason other than the rule set: the entry is audited, the error kept. */
export class ReloadFailedError extends Error {
  readonly reload: AuditedReload
  constructor (reload: AuditedReload, cause: unknown) {
    super('the rule set could not be reloaded', { cause })
    this.name = 'ReloadFailedError'
    this.reload = reload
  }
}

/**
 * Reloads the rule set and appends the attempt to the audit log, whatever its result. A set with
 * errors, compile or lint (src/ruleset/go-live.ts), is refused (the old one stays live: the rules
 * holder swaps only a set that may go live) and audited with every `file:line:col` problem. An audit log that cannot be written does not stop
 * the reload; it is logged and reported (`audited: false`).
 */
export async function reloadWithAudit (rules: ReloadableRules, audit: Pick<RuleAuditLog, 'append'>, actor: string, log: AuditLogger, now: () => Date = () => new Date()): Promise<AuditedReload> {
  const previous = { version: rules.current.version, hash: rules.current.hash }
  const at = now().toISOString()
  let entry: RuleAuditEntry
  let failure: unknown
  try {
    const next = await rules.reload()
    entry = {
      at,
      actor,
      result: next.hash === previous.hash ? ReloadResult.UNCHANGED : ReloadResult.APPLIED,
      previous,
      loaded: { version: next.version, hash: next.hash },
      errors: []
    }
  } catch (err) {
    if (err instanceof RuleSetError) {
      entry = { at, actor, result: ReloadResult.REFUSED, previous, loaded: null, errors: [...err.lines] }
    } else {
      failure = err
      entry = { at, actor, result: ReloadResult.FAILED, previous, loaded: null, errors: ['internal error (see the service log)'] }
    }
  }
  let audited = true
  try {
    await audit.append(entry)
  } catch (err) {
    audited = false
    log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, 'rule reload: the audit log could not be written')
  }
  const summary = { actor, result: entry.result, previous: entry.previous, loaded: entry.loaded, errors: entry.errors.length }
  if (entry.result === ReloadResult.REFUSED) log.warn(summary, 'rule reload refused: the live rule set stays')
  else if (entry.result === ReloadResult.FAILED) log.error({ ...summary, err: { type: (failure as Error)?.name, message: (failure as Error)?.message } }, 'rule reload failed')
  else log.info(summary, 'rule set reloaded')
  if (failure !== undefined) throw new ReloadFailedError({ entry, audited }, failure)
  return { entry, audited }
}
