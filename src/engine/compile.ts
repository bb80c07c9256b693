import type { Node } from 'yaml'
import { createCelContextPlan } from './cel-context.js'
import { createCelEnvironment } from './cel-environment.js'
import { compileCondition } from './compile-condition.js'
import { compileVelocity } from './compile-velocity.js'
import { createNameWhitelist, whitelistedNames } from './compiled/message-types.js'
import { createSharedCode, generate, Target } from './compiled/codegen.js'
import type { Generated, SharedCode } from './compiled/codegen.js'
import type { NameWhitelist } from './compiled/message-types.js'
import type { RequirementPlan } from './compiled/program.js'
import { createFeatureReader, createProgram, planRequirements } from './compiled/program.js'
import { identifierProblem } from './identifiers.js'
import { createPatternSet } from './re2-pattern.js'
import { RuleAction, RuleMode } from './ruleset.js'
import type { CompiledRule, CompiledRuleSet, CompileResult, FeatureRead, RuleAcknowledgement, RuleDefinition, RuleSetSource, Thresholds } from './ruleset.js'
import { hashRuleSet } from './ruleset-hash.js'
import { checkKeys, entryOf, isMapNode, isScalarNode, isSeqNode, mapEntries, YamlSource } from './yaml-source.js'
import type { MapEntry } from './yaml-source.js'

const TOP_KEYS = ['version', 'thresholds', 'velocity', 'lists', 'rules'] as const
const RULE_KEYS = ['id', 'description', 'when', 'score', 'action', 'mode', 'acknowledge'] as const
const ACKNOWLEDGE_KEYS = ['warning', 'with', 'reason'] as const
export const MAX_ACKNOWLEDGEMENT_REASON = 1_000
export const MAX_RULE_SCORE = 100
const ACTIONS: readonly string[] = Object.values(RuleAction)
const MODES: readonly string[] = Object.values(RuleMode)

function scalarString (node: Node | null | undefined): string | undefined {
  return isScalarNode(node) && typeof node.value === 'string' ? node.value : undefined
}

function scalarInteger (node: Node | null | undefined): number | undefined {
  return isScalarNode(node) && typeof node.value === 'number' && Number.isSafeInteger(node.value) ? node.value : undefined
}

/**
 * An optional rule field whose value must be one of `allowed`: null when absent, false (reported
 * at the value) when it is not one of them.
 */
function choiceField<T extends string> (
  source: YamlSource, entry: MapEntry | undefined, key: string, allowed: readonly string[], ruleId: string | undefined
): T | null | false {
  if (entry === undefined) return null
  const text = scalarString(entry.value)
  if (text !== undefined && allowed.includes(text)) return text as T
  source.error(entry.value ?? entry.keyNode, `${key} must be one of ${allowed.join(', ')}`, ruleId)
  return false
}

function compileVersion (source: YamlSource, entry: MapEntry | undefined, root: Node): string {
  const version = scalarString(entry?.value)
  if (version === undefined || version.trim() === '' || version.length > 100) {
    source.error(entry?.value ?? entry?.keyNode ?? root, 'version is required: a string of at most 100 characters, quoted ("2026-11-21.1")')
    return ''
  }
  return version
}

function compileThresholds (source: YamlSource, entry: MapEntry | undefined, root: Node): Thresholds {
  const thresholds = { review: 0, block: 0 }
  if (entry === undefined || !isMapNode(entry.value)) {
    source.error(entry?.value ?? entry?.keyNode ?? root, 'thresholds is required: { review: <0..100>, block: <0..100> }')
    return thresholds
  }
  const entries = mapEntries(source, entry.value)
  checkKeys(source, entries, ['review', 'block'], 'thresholds')
  for (const key of ['review', 'block'] as const) {
    const value = entryOf(entries, key)
    const n = scalarInteger(value?.value)
    if (n === undefined || n < 0 || n > 100) source.error(value?.value ?? entry.value, `thresholds.${key} must be an integer from 0 to 100`)
    else thresholds[key] = n
  }
  if (thresholds.review > thresholds.block) source.error(entry.value, 'thresholds.review must not be above thresholds.block')
  return thresholds
}

interface CompiledLists {
  sets: Map<string, Set<string>>
  files: Map<string, string>
  /** every declared list name, loaded or not, so a broken list does not also break its rules */
  names: string[]
}

function compileLists (source: YamlSource, entry: MapEntry | undefined, input: RuleSetSource): CompiledLists {
  const result: CompiledLists = { sets: new Map(), files: new Map(), names: [] }
  if (entry === undefined || entry.value === null) return result
  if (!isMapNode(entry.value)) {
    source.error(entry.value, 'lists must be a map of list name -> file (lists/blocked_emails.txt)')
    return result
  }
  for (const list of mapEntries(source, entry.value)) {
    const problem = identifierProblem(list.key)
    if (problem !== undefined) {
      source.error(list.keyNode, `list name ${problem}`)
      continue
    }
    result.names.push(list.key)
    const path = scalarString(list.value)
    if (path === undefined || path.trim() === '') {
      source.error(list.value ?? list.keyNode, `list ${list.key}: expected the path of its file, relative to the rules folder`)
      continue
    }
    const read = input.lists[list.key]
    if (read === undefined) {
      source.error(list.value, `list ${list.key}: ${path} was not read`)
      continue
    }
    if (read.error !== undefined) {
      source.error(list.value, `list ${list.key}: ${read.error}`)
      continue
    }
    result.sets.set(list.key, new Set(read.values))
    result.files.set(list.key, read.file)
  }
  return result
}

/**
 * A rule's `acknowledge:` list: `- { warning: <code>, with: [<rule id>...], reason: "..." }`
 * entries (`with` optional), each with a reason (an acknowledgement without one is an error) and
 * each code once. False when it has an error.
 */
function compileAcknowledgements (source: YamlSource, entry: MapEntry | undefined, ruleId: string | undefined): RuleAcknowledgement[] | false {
  if (entry === undefined) return []
  const shape = 'acknowledge must be a list of { warning: <code>, with?: [<rule id>...], reason: "why it is accepted" }'
  if (!isSeqNode(entry.value)) {
    source.error(entry.value ?? entry.keyNode, shape, ruleId)
    return false
  }
  const out: RuleAcknowledgement[] = []
  let ok = true
  for (const item of entry.value.items as Array<Node | null>) {
    if (!isMapNode(item)) {
      source.error(item ?? entry.value, shape, ruleId)
      ok = false
      continue
    }
    const entries = mapEntries(source, item, ruleId)
    checkKeys(source, entries, ACKNOWLEDGE_KEYS, 'an acknowledgement', ruleId)
    const warningEntry = entryOf(entries, 'warning')
    const warning = scalarString(warningEntry?.value)
    if (warning === undefined || !/^[a-z][a-z0-9_]*$/.test(warning)) {
      source.error(warningEntry?.value ?? item, 'acknowledge: warning is required: the code of the warning, as riskgate rules check shows it in brackets (allow_block_overlap)', ruleId)
      ok = false
      continue
    }
    const withEntry = entryOf(entries, 'with')
    let others: string[] | undefined
    if (withEntry !== undefined) {
      const items = isSeqNode(withEntry.value) ? (withEntry.value.items as Array<Node | null>).map(scalarString) : [scalarString(withEntry.value)]
      if (items.length === 0 || items.some((id) => id === undefined)) {
        source.error(withEntry.value ?? withEntry.keyNode, `acknowledge ${warning}: with must be a rule id or a list of rule ids (with: [blocked_email])`, ruleId)
        ok = false
        continue
      }
      others = items as string[]
    }
    const reasonEntry = entryOf(entries, 'reason')
    const reason = scalarString(reasonEntry?.value)?.trim()
    if (reason === undefined || reason === '') {
      source.error(reasonEntry?.value ?? item, `acknowledge ${warning}: a reason is required: say why this warning is accepted (reason: "...")`, ruleId)
      ok = false
      continue
    }
    if (reason.length > MAX_ACKNOWLEDGEMENT_REASON) {
      source.error(reasonEntry?.value, `acknowledge ${warning}: the reason is longer than ${MAX_ACKNOWLEDGEMENT_REASON} characters`, ruleId)
      ok = false
      continue
    }
    if (out.some((a) => a.warning === warning)) {
      source.error(warningEntry?.value, `acknowledge ${warning}: acknowledged twice in this rule (list the other rules under one with:)`, ruleId)
      ok = false
      continue
    }
    out.push({
      warning,
      ...(others !== undefined ? { with: others } : {}),
      reason: reason.replace(/\s+/g, ' '),
      ...source.position(warningEntry?.value?.range?.[0] ?? 0)
    })
  }
  return ok ? out : false
}

function toRead (path: string): FeatureRead {
  return { path, segments: path.split('.') }
}

function compileRule (
  source: YamlSource, node: Node | null, scope: Parameters<typeof compileCondition>[3], seen: Map<string, number>
): { fields: RuleDefinition, rule?: CompiledRule, generated?: CompiledJs, roots?: Set<string> } | undefined {
  if (!isMapNode(node)) {
    source.error(node, 'each rule must be a map with id, when and score and/or action')
    return undefined
  }
  const entries = mapEntries(source, node)
  const idEntry = entryOf(entries, 'id')
  const rawId = scalarString(idEntry?.value)
  const ruleId = rawId
  checkKeys(source, entries, RULE_KEYS, 'a rule', ruleId)
  const line = source.position(node.range?.[0] ?? 0).line
  let ok = true

  const idProblem = rawId === undefined ? 'id is required' : identifierProblem(rawId)
  if (idProblem !== undefined) {
    source.error(idEntry?.value ?? node, `rule id: ${idProblem}`, ruleId)
    ok = false
  } else if (rawId !== undefined) {
    const previous = seen.get(rawId)
    if (previous !== undefined) {
      source.error(idEntry?.value, `duplicate rule id (first defined at line ${previous})`, ruleId)
      ok = false
    } else {
      seen.set(rawId, line)
    }
  }

  const descriptionEntry = entryOf(entries, 'description')
  const description = scalarString(descriptionEntry?.value)
  if (descriptionEntry !== undefined && description === undefined) {
    source.error(descriptionEntry.value ?? descriptionEntry.keyNode, 'description must be a string', ruleId)
    ok = false
  }

  const scoreEntry = entryOf(entries, 'score')
  let score: number | null = null
  if (scoreEntry !== undefined) {
    const n = scalarInteger(scoreEntry.value)
    if (n === undefined || n === 0 || Math.abs(n) > MAX_RULE_SCORE) {
      source.error(scoreEntry.value ?? scoreEntry.keyNode,
        `score must be a non-zero integer from -${MAX_RULE_SCORE} to ${MAX_RULE_SCORE} (negative for good signals)`, ruleId)
      ok = false
    } else {
      score = n
    }
  }

  const actionEntry = entryOf(entries, 'action')
  const actionChoice = choiceField<RuleAction>(source, actionEntry, 'action', ACTIONS, ruleId)
  if (actionChoice === false) ok = false
  const action = actionChoice === false ? null : actionChoice
  if (scoreEntry === undefined && actionEntry === undefined) {
    source.error(idEntry?.value ?? node, 'a rule needs a score, an action, or both', ruleId)
    ok = false
  }

  const acknowledge = compileAcknowledgements(source, entryOf(entries, 'acknowledge'), ruleId)
  if (acknowledge === false) ok = false

  const modeChoice = choiceField<RuleMode>(source, entryOf(entries, 'mode'), 'mode', MODES, ruleId)
  if (modeChoice === false) ok = false
  const mode = modeChoice === false || modeChoice === null ? RuleMode.LIVE : modeChoice

  const whenEntry = entryOf(entries, 'when')
  const when = scalarString(whenEntry?.value)
  let compiled: ReturnType<typeof compileCondition>
  const whenTag = isScalarNode(whenEntry?.value) ? whenEntry?.value.tag : undefined
  if (whenTag !== undefined && whenTag.startsWith('!') && !whenTag.startsWith('!!')) {
    const at = whenEntry?.value?.range?.[0] ?? 0
    const tagAt = source.text.lastIndexOf(whenTag, at)
    source.errorAt(tagAt < 0 ? at : tagAt, `YAML reads "${whenTag}" as a tag: quote a condition that starts with ! (when: "${whenTag} ...")`, ruleId)
    ok = false
  } else if (whenEntry === undefined || when === undefined || !isScalarNode(whenEntry.value)) {
    source.error(whenEntry?.value ?? whenEntry?.keyNode ?? node, 'when is required: a CEL condition as a string (quote it if YAML reads it as a boolean or number)', ruleId)
    ok = false
  } else {
    compiled = compileCondition(source, whenEntry.value, when, scope, ruleId)
    if (compiled === undefined) ok = false
  }

  const fields: RuleDefinition = {
    id: rawId ?? '',
    description: description ?? (when ?? '').replace(/\s+/g, ' ').trim(),
    when: when ?? '',
    score,
    action,
    mode,
    line
  }
  if (!ok || compiled === undefined) return { fields }
  const { reads } = compiled
  const rule: CompiledRule = {
    ...fields,
    requires: reads.paths.map(toRead),
    shows: [...reads.paths, ...reads.hasPaths].map(toRead),
    condition: compiled.condition,
    ...(compiled.js.ok ? { compiled: compiled.js.condition } : { interpretedBecause: compiled.js.reason }),
    ...(acknowledge !== false && acknowledge.length > 0 ? { acknowledge } : {})
  }
  return compiled.js.ok ? { fields, rule, generated: { ast: compiled.ast, generated: compiled.js.generated }, roots: reads.roots } : { fields, rule, roots: reads.roots }
}

/** A compiled condition: its AST and its code as a function of its own. */
interface CompiledJs {
  ast: unknown
  generated: Generated
}

/**
 * The rule set's program (src/engine/compiled/program.ts), or undefined when it cannot be built.
 * Its conditions are generated again, now that all of them are known, for what they share.
 */
function programOf (
  rules: readonly CompiledRule[], plan: RequirementPlan, compiled: ReadonlyArray<CompiledJs | undefined>, names: NameWhitelist, shared: SharedCode,
  onSource?: (source: string) => void
): NonNullable<CompiledRuleSet['program']> | undefined {
  const generated = compiled.map((js) => {
    if (js === undefined) return undefined
    try {
      return generate(js.ast, names, shared, Target.PROGRAM)
    } catch {
      return js.generated
    }
  })
  const run = createProgram(plan, rules, generated, shared, onSource)
  if (run === undefined) return undefined
  try {
    // the roots the conditions read, then those of the paths the engine checks and shows
    const roots = new Set<string>()
    for (const rule of generated) for (const root of rule?.roots ?? []) roots.add(root)
    for (const read of plan.paths) roots.add(read.segments[0] as string)
    return { rules, plan, run, read: createFeatureReader([...roots], new Set(names.groups.keys()), plan.paths, whitelistedNames(names), onSource) }
  } catch {
    return undefined
  }
}

/** Names and files of the lists a rule file declares (what the loader must read). Lenient: no errors. */
export function declaredListFiles (text: string): Record<string, string> {
  const source = new YamlSource('', text)
  const root = source.root
  const out: Record<string, string> = {}
  if (!isMapNode(root)) return out
  const lists = entryOf(mapEntries(source, root), 'lists')
  if (lists === undefined || !isMapNode(lists.value)) return out
  for (const entry of mapEntries(source, lists.value)) {
    const file = scalarString(entry.value)
    if (file !== undefined) out[entry.key] = file
  }
  return out
}

export interface CompileOptions {
  /** receives the source of each function of the rule set's program, as it is built (for inspection) */
  onProgramSource?: (source: string) => void
}

/**
 * Compiles a rule set (DESIGN.md "Rule files"): validates the YAML, parses and type-checks every
 * condition, and returns either the compiled set or every error found, each at its file, line and
 * column. A set with any error is refused as a whole.
 */
export function compileRuleSet (input: RuleSetSource, options: CompileOptions = {}): CompileResult {
  const source = new YamlSource(input.file, input.text)
  if (source.errors.length > 0) return { ok: false, errors: source.errors }
  const root = source.root
  if (!isMapNode(root)) {
    source.error(root, 'a rule set is a map with version, thresholds, velocity, lists and rules')
    return { ok: false, errors: source.errors }
  }
  const top = mapEntries(source, root)
  checkKeys(source, top, TOP_KEYS, 'the rule set')
  const version = compileVersion(source, entryOf(top, 'version'), root)
  const thresholds = compileThresholds(source, entryOf(top, 'thresholds'), root)
  const velocity = compileVelocity(source, entryOf(top, 'velocity')?.value)
  const lists = compileLists(source, entryOf(top, 'lists'), input)
  const listNames = [...lists.sets.keys()]

  // the set's regular expressions: compiled once, for its compiled code and its interpreter alike
  const patterns = createPatternSet()
  const scope = {
    env: createCelEnvironment(velocity.names, lists.names, patterns),
    patterns,
    velocity: new Set(velocity.names),
    lists: new Set(lists.names),
    names: createNameWhitelist(velocity.names, lists.sets),
    shared: createSharedCode(patterns)
  }

  const rulesEntry = entryOf(top, 'rules')
  const rules: CompiledRule[] = []
  const generated: Array<CompiledJs | undefined> = []
  const definitions: RuleDefinition[] = []
  const roots = new Set<string>()
  if (rulesEntry === undefined || (rulesEntry.value !== null && !isSeqNode(rulesEntry.value))) {
    source.error(rulesEntry?.value ?? root, 'rules is required: a list of rules (it may be empty: rules: [])')
  } else if (isSeqNode(rulesEntry.value)) {
    const seen = new Map<string, number>()
    for (const item of rulesEntry.value.items as Array<Node | null>) {
      const result = compileRule(source, item, scope, seen)
      if (result === undefined) continue
      definitions.push(result.fields)
      if (result.rule !== undefined) {
        rules.push(result.rule)
        generated.push(result.generated)
      }
      for (const r of result.roots ?? []) roots.add(r)
    }
  }
  if (source.errors.length > 0) return { ok: false, errors: source.errors }

  const hash = hashRuleSet({ version, thresholds, velocity: velocity.specs, lists: lists.sets, rules: definitions })
  const plan = planRequirements(rules)
  const program = programOf(rules, plan, generated, scope.names, scope.shared, options.onProgramSource)
  const ruleSet: CompiledRuleSet = {
    version,
    hash,
    thresholds,
    velocity: velocity.specs,
    lists: lists.sets,
    rules,
    definition: {
      version,
      hash,
      file: input.file,
      thresholds: { ...thresholds },
      velocity: velocity.specs.map((spec) => ({ ...spec, by: [...spec.by] })),
      lists: listNames.map((name) => ({ name, file: lists.files.get(name) ?? '', size: lists.sets.get(name)?.size ?? 0 })),
      rules: definitions.map((d) => ({ ...d }))
    },
    context: createCelContextPlan({
      roots,
      paths: rules.flatMap((rule) => rule.shows.map((read) => read.path)),
      velocityNames: velocity.specs.map((spec) => spec.name),
      lists: lists.sets
    }),
    ...(program !== undefined ? { program } : {})
  }
  return { ok: true, ruleSet }
}
