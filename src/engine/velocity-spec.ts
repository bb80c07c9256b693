/**
 * A velocity counter declared in the rule set (`velocity:` in rules/ruleset.yaml), after the
 * engine has parsed and validated it. The velocity store counts it; rules read `velocity.<name>`.
 */
export const VelocityKind = {
  COUNT: 'count',
  DISTINCT: 'distinct',
  SUM: 'sum'
} as const
export type VelocityKind = typeof VelocityKind[keyof typeof VelocityKind]

export interface VelocityCounterSpec {
  name: string
  kind: VelocityKind
  /**
   * The feature path the counter reads: the value whose distinct count is taken (`card.fingerprint`)
   * or the number summed (`amount`). Undefined for `count` (it counts charges).
   */
  of?: string
  /** canonical feature paths of the entity key, e.g. ['ip.address'] or ['card.bin', 'ip.address'] */
  by: string[]
  /** 60 (1m) .. 7_776_000 (90d) */
  windowSeconds: number
}
