import type { ASTNode } from '@marcbachmann/cel-js'
import { createCelEnvironment } from '../engine/cel-environment.js'
import { compileRuleSet } from '../engine/compile.js'
import type { CompiledRuleSet, ListSource } from '../engine/ruleset.js'
import { HASHED_PATHS, hashLists } from '../decision-log/snapshot.js'
import type { SnapshotHash } from '../decision-log/snapshot.js'
import { pathOf } from '../lint/formula.js'

/**
 * A rule set ready to replay recorded decisions. Recorded features hold keyed hashes of
 * identifiers (src/decision-log/snapshot.ts), so the set is compiled again with every list entry
 * present both in clear and hashed with the same key: `email.address in lists.blocked_emails`
 * matches the recorded hash, `card.bin in lists.risky_bins` still matches the clear BIN.
 */
export interface ReplayRuleSet {
  /** the set as loaded: its version and hash are the ones decisions record */
  original: CompiledRuleSet
  /** the same rules, with hashed list entries added: what evaluate() runs on records */
  replay: CompiledRuleSet
  /** rules that read a hashed identifier other than by equality or list membership */
  inexact: Array<{ rule: string, paths: string[] }>
}

const HASHED: ReadonlySet<string> = new Set(HASHED_PATHS)

function isHashedPath (node: ASTNode | undefined): boolean {
  const path = node === undefined ? undefined : pathOf(node)
  return path !== undefined && HASHED.has(path)
}

/**
 * The hashed paths a condition reads in a way a hash cannot answer (`email.address.endsWith(...)`,
 * `customer.id == "cus_1"`, `ip.address.startsWith("10.")`). Equality between two hashed paths,
 * membership in a list and `has()` replay exactly.
 */
export function inexactReads (ast: ASTNode): string[] {
  const out = new Set<string>()
  const visit = (node: ASTNode, parent: ASTNode | undefined): void => {
    const path = pathOf(node)
    if (path !== undefined && HASHED.has(path)) {
      const ok = parent !== undefined && (
        (parent.op === 'in' && parent.args[0] === node && parent.args[1].op === '.' && parent.args[1].args[0].op === 'id' && parent.args[1].args[0].args === 'lists') ||
        ((parent.op === '==' || parent.op === '!=') && isHashedPath(parent.args[0] === node ? parent.args[1] : parent.args[0])) ||
        (parent.op === 'call' && parent.args[0] === 'has'))
      if (!ok) out.add(path)
      return
    }
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk)
      else if (value !== null && typeof value === 'object' && 'op' in value) visit(value as ASTNode, node)
    }
    if (node.op !== 'value') walk(node.args)
  }
  visit(ast, undefined)
  return [...out]
}

/**
 * Prepares a compiled set for replay. `text` is the rule file it was compiled from; `hash` is the
 * snapshot hash of the decision log (RISKGATE_HASH_KEY).
 */
export function prepareReplay (original: CompiledRuleSet, text: string, hash: SnapshotHash): ReplayRuleSet {
  const lists: Record<string, ListSource> = {}
  for (const entry of original.definition.lists) lists[entry.name] = { file: entry.file, values: [...(original.lists.get(entry.name) ?? [])] }
  const compiled = compileRuleSet({ file: original.definition.file, text, lists: hashLists(lists, hash) })
  if (!compiled.ok) {
    // the same text compiled a moment ago: only a file changed in between can get here
    throw new Error(`the rule set changed while it was read: ${compiled.errors[0]?.message ?? ''}`)
  }
  const env = createCelEnvironment(original.velocity.map((s) => s.name), [...original.lists.keys()])
  const inexact = original.rules
    .map((rule) => ({ rule: rule.id, paths: inexactReads(env.parse(rule.when).ast) }))
    .filter((r) => r.paths.length > 0)
  return { original, replay: compiled.ruleSet, inexact }
}
