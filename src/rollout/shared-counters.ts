import type { CompiledRuleSet } from '../engine/ruleset.js'
import type { VelocityCounterSpec } from '../engine/velocity-spec.js'
import type { SourceError } from '../engine/yaml-source.js'

/** `count by ip.address 1h`, `distinct card.fingerprint by email.address 24h`: a counter as messages show it */
export function describeCounter (spec: VelocityCounterSpec): string {
  const what = spec.of === undefined ? spec.kind : `${spec.kind} ${spec.of}`
  return `${what} by ${[...spec.by].sort().join(' + ')} over ${spec.windowSeconds} s`
}

function sameCounter (a: VelocityCounterSpec, b: VelocityCounterSpec): boolean {
  return describeCounter(a) === describeCounter(b)
}

/** the 1-based line where `name` is declared under `velocity:` in a rule file's text (1 when not found) */
function counterLine (text: string | undefined, name: string): number {
  if (text === undefined) return 1
  const lines = text.split(/\r?\n/)
  const start = lines.findIndex((line) => /^velocity\s*:/.test(line))
  const key = new RegExp(`^\\s+${name}\\s*:`)
  for (let i = Math.max(start, 0); i < lines.length; i++) if (key.test(lines[i] as string)) return i + 1
  return 1
}

/**
 * The live set and a challenger share the velocity store: a counter name is one series there, so
 * a name both sets declare must be the same counter. The problems of `checked` (the set being
 * staged or reloaded, whose rule file `text` is, when given) against `other`: one per counter
 * declared by both with different definitions.
 */
export function counterConflicts (checked: CompiledRuleSet, other: CompiledRuleSet, otherRole: 'live' | 'challenger', text?: string): SourceError[] {
  const others = new Map(other.velocity.map((spec) => [spec.name, spec]))
  const problems: SourceError[] = []
  for (const spec of checked.velocity) {
    const theirs = others.get(spec.name)
    if (theirs === undefined || sameCounter(spec, theirs)) continue
    problems.push({
      file: checked.definition.file,
      line: counterLine(text, spec.name),
      column: 1,
      message: `velocity ${spec.name} is ${describeCounter(spec)} here but ${describeCounter(theirs)} in the ${otherRole} set (${other.definition.file}): ` +
        'the live set and the challenger share the velocity store, where a counter name is one series; rename one of them'
    })
  }
  return problems
}

/**
 * The counters the velocity store counts while a challenger runs: the live set's, then those only
 * the challenger declares (a name both declare is one counter: counterConflicts refuses a set
 * that declares it otherwise). Each is counted once per charge, in the request's one store call.
 */
export function sharedCounters (live: CompiledRuleSet, challenger: CompiledRuleSet): VelocityCounterSpec[] {
  const names = new Set(live.velocity.map((spec) => spec.name))
  return [...live.velocity, ...challenger.velocity.filter((spec) => !names.has(spec.name))]
}
