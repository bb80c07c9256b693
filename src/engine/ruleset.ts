import type { Decision, Reason } from '../schemas/decision.js'
import type { CelContextPlan } from './cel-context.js'
import type { FeatureReader, ProgramRun, RequirementPlan } from './compiled/program.js'
import type { VelocityCounterSpec } from './velocity-spec.js'
import type { SourceError } from './yaml-source.js'

export type { Decision, Reason }

export const RuleAction = {
  ALLOW: 'allow',
  REVIEW: 'review',
  BLOCK: 'block'
} as const
export type RuleAction = typeof RuleAction[keyof typeof RuleAction]

export const RuleMode = {
  /** enforced: changes the decision */
  LIVE: 'live',
  /** evaluated and reported under `shadow`, never changes the live decision */
  SHADOW: 'shadow'
} as const
export type RuleMode = typeof RuleMode[keyof typeof RuleMode]

/** A list named in the rule set, as the loader read it. */
export interface ListSource {
  /** display name, e.g. `rules/lists/blocked_emails.txt` */
  file: string
  values: string[]
  /** why the loader could not read it (missing, outside the rules folder...): a compile error */
  error?: string
}

/** Everything a rule set is made of: the compiler reads no file itself. */
export interface RuleSetSource {
  /** display name of the YAML file, e.g. `rules/ruleset.yaml` */
  file: string
  text: string
  /** list name (as declared under `lists:`) -> its values */
  lists: Record<string, ListSource>
}

export interface Thresholds {
  /** score >= review -> review */
  review: number
  /** score >= block -> block */
  block: number
}

/** A feature path a rule reads, split once for the hot path. */
export interface FeatureRead {
  path: string
  segments: readonly string[]
}

/**
 * A lint warning a rule acknowledges on purpose (`acknowledge:` in the rule file), with why. The
 * engine reads only its shape; the lint (src/lint/) checks the code and matches it to warnings.
 * Acknowledgements do not change what the set decides: they are not part of its hash.
 */
export interface RuleAcknowledgement {
  /** the warning's code, as `riskgate rules check` shows it in brackets (`allow_block_overlap`) */
  readonly warning: string
  /**
   * for a warning about this rule and another (an allow rule and the block rule it overrides...):
   * the other rules it is accepted with; absent: with any
   */
  readonly with?: readonly string[]
  readonly reason: string
  /** 1-based position of the code in the rule file */
  readonly line: number
  readonly column: number
}

export interface CompiledRule {
  readonly id: string
  readonly description: string
  /** the CEL condition as written */
  readonly when: string
  readonly score: number | null
  readonly action: RuleAction | null
  readonly mode: RuleMode
  /** 1-based line of the rule in the rule file */
  readonly line: number
  /** paths that must be known for the rule to be evaluated (those under `has()` are exempt) */
  readonly requires: readonly FeatureRead[]
  /** paths whose values a reason shows (requires + has() paths) */
  readonly shows: readonly FeatureRead[]
  /** the type-checked condition (the cel-js interpreter): the reference semantics */
  readonly condition: (context: Record<string, unknown>) => unknown
  /**
   * the same condition compiled to JavaScript (src/engine/compiled/), a function of the Features:
   * it returns what `condition` returns on their CEL context, or throws where the interpreter must
   * decide (errors, CEL's error-absorbing `&&`/`||`)
   */
  readonly compiled?: (features: unknown) => unknown
  /** why the condition has no `compiled` form: the construct the compiler does not translate */
  readonly interpretedBecause?: string
  /** the lint warnings the rule acknowledges (none when absent) */
  readonly acknowledge?: readonly RuleAcknowledgement[]
}

/** The JSON-safe description of a rule set (GET /v1/rules). List values are not included. */
/** One rule as written in the rule file (after defaults), with the line it starts on. */
export interface RuleDefinition {
  id: string
  description: string
  when: string
  score: number | null
  action: RuleAction | null
  mode: RuleMode
  line: number
}

export interface RuleSetDefinition {
  version: string
  hash: string
  file: string
  thresholds: Thresholds
  velocity: VelocityCounterSpec[]
  lists: Array<{ name: string, file: string, size: number }>
  rules: RuleDefinition[]
}

export interface CompiledRuleSet {
  readonly version: string
  /** sha256 (hex) of the canonical rule set, lists included */
  readonly hash: string
  readonly thresholds: Readonly<Thresholds>
  /** the counters the velocity store must maintain */
  readonly velocity: readonly VelocityCounterSpec[]
  readonly lists: ReadonlyMap<string, ReadonlySet<string>>
  readonly rules: readonly CompiledRule[]
  readonly definition: RuleSetDefinition
  /** how the engine turns Features into CEL variables for this set */
  readonly context: CelContextPlan
  /**
   * the compiled conditions of `rules` as one program (src/engine/compiled/program.ts); used only
   * for that very `rules` array, with the plan of feature paths it was built for and the reader
   * of those paths
   */
  readonly program?: {
    readonly rules: readonly CompiledRule[]
    readonly plan: RequirementPlan
    readonly run: ProgramRun
    readonly read: FeatureReader
  }
}

export type CompileResult =
  | { ok: true, ruleSet: CompiledRuleSet }
  | { ok: false, errors: SourceError[] }

export interface SkippedRule {
  rule: string
  /** feature paths the rule reads that were unknown for this charge */
  unknown: string[]
  /** the run-time error of the condition, when that is why it was skipped */
  error?: string
}

export interface Evaluation {
  decision: Decision
  /** sum of the scores of fired live rules, clamped to 0..100 */
  score: number
  /** fired live rules */
  reasons: Reason[]
  /** what live and shadow rules together would decide; reasons are the fired shadow rules */
  shadow: { decision: Decision, score: number, reasons: Reason[] }
  /** rules (live or shadow) not evaluated: unknown inputs or a run-time error */
  skipped: SkippedRule[]
}
