/**
 * How a challenger rule set runs beside the live one (a staged rollout, champion/challenger):
 * - `shadow`: evaluated on every charge, never enforced;
 * - `enforce`: decides the charges of a deterministic share of customers or cards (`percent`, by
 *   the keyed digest of `by`, falling back to the other identifier), shadow for the others.
 */
export const RolloutMode = {
  SHADOW: 'shadow',
  ENFORCE: 'enforce'
} as const
export type RolloutMode = typeof RolloutMode[keyof typeof RolloutMode]

/** the identifier a charge is assigned to the challenger by */
export const AssignBy = {
  CUSTOMER: 'customer.id',
  CARD: 'card.fingerprint'
} as const
export type AssignBy = typeof AssignBy[keyof typeof AssignBy]
export const ASSIGN_BY: readonly AssignBy[] = [AssignBy.CUSTOMER, AssignBy.CARD]

/** which of the two rule sets decided a charge */
export const RuleSetRole = {
  LIVE: 'live',
  CHALLENGER: 'challenger'
} as const
export type RuleSetRole = typeof RuleSetRole[keyof typeof RuleSetRole]

export const MIN_PERCENT = 1
export const MAX_PERCENT = 100

export type Rollout =
  | { mode: typeof RolloutMode.SHADOW }
  | { mode: typeof RolloutMode.ENFORCE, percent: number, by: AssignBy }

export const SHADOW_ROLLOUT: Rollout = Object.freeze({ mode: RolloutMode.SHADOW })

const SETTING = /^(?:shadow|enforce:([1-9][0-9]?|100)(?::(customer\.id|card\.fingerprint))?)$/

/**
 * RISKGATE_CHALLENGER_ROLLOUT: `shadow`, or `enforce:<percent>[:customer.id|card.fingerprint]`
 * (`by` defaults to customer.id). Undefined when the text is none of these.
 */
export function parseRolloutSetting (text: string): Rollout | undefined {
  const match = SETTING.exec(text.trim())
  if (match === null) return undefined
  if (match[1] === undefined) return SHADOW_ROLLOUT
  return { mode: RolloutMode.ENFORCE, percent: Number(match[1]), by: (match[2] ?? AssignBy.CUSTOMER) as AssignBy }
}

/** the setting that gives `rollout` back (parseRolloutSetting's inverse) */
export function formatRolloutSetting (rollout: Rollout): string {
  return rollout.mode === RolloutMode.SHADOW ? RolloutMode.SHADOW : `${RolloutMode.ENFORCE}:${rollout.percent}:${rollout.by}`
}

/** the request's fields (POST /v1/rules/challenger) as a rollout, or the problems with them */
export function rolloutOf (mode: RolloutMode, percent: number | undefined, by: AssignBy | undefined): { ok: true, rollout: Rollout } | { ok: false, problems: Array<{ path: string, message: string }> } {
  if (mode === RolloutMode.SHADOW) {
    const problems = []
    if (percent !== undefined) problems.push({ path: '/percent', message: 'a shadow challenger decides no charge: percent is for mode enforce' })
    if (by !== undefined) problems.push({ path: '/by', message: 'a shadow challenger decides no charge: by is for mode enforce' })
    return problems.length > 0 ? { ok: false, problems } : { ok: true, rollout: SHADOW_ROLLOUT }
  }
  if (percent === undefined) return { ok: false, problems: [{ path: '/percent', message: `mode enforce needs percent: the share (${MIN_PERCENT}-${MAX_PERCENT}) of customers or cards the challenger decides for` }] }
  return { ok: true, rollout: { mode: RolloutMode.ENFORCE, percent, by: by ?? AssignBy.CUSTOMER } }
}

/** the rollout as the API and the audit log show it */
export function describeRollout (rollout: Rollout): { mode: RolloutMode, percent: number | null, by: AssignBy | null } {
  return rollout.mode === RolloutMode.ENFORCE
    ? { mode: rollout.mode, percent: rollout.percent, by: rollout.by }
    : { mode: rollout.mode, percent: null, by: null }
}

export function sameRollout (a: Rollout, b: Rollout): boolean {
  return formatRolloutSetting(a) === formatRolloutSetting(b)
}
