import { generate, Unsupported } from './codegen.js'
import type { Generated, SharedCode } from './codegen.js'
import type { NameWhitelist } from './message-types.js'
import { runtime } from './runtime.js'
import type { CompiledCondition } from './types.js'

export type JsCompileResult =
  | { ok: true, condition: CompiledCondition, source: string, generated: Generated }
  | { ok: false, reason: string }

/** The body of a function of the Features `features` that returns the condition's value. */
export function functionBody (generated: Generated): string {
  const groups = new Set(generated.groups)
  // the roots it reads, as the program's reader gives them (see Generated)
  const roots = generated.roots.map((root) => groups.has(root) ? `${root}: $.rec(features.${root})` : `${root}: features.${root}`)
  const locals = ['t', ...generated.locals, ...generated.memos]
  return `const f = { ${roots.join(', ')} }\nlet ${locals.join(', ')}\nreturn ${generated.expression}`
}

/**
 * Compiles a parsed and type-checked CEL condition into a JavaScript function, or says why the
 * interpreter must evaluate it instead (a construct the compiler does not translate). Never throws.
 * `shared` is what the conditions of a rule set share (see generate()): one for all of them lets
 * its program compute what they have in common once per evaluation.
 *
 * The function is built with the Function constructor from source the generator writes itself:
 * fixed fragments, whitelisted names and escaped literals, never text of the rule file.
 */
export function compileToJs (ast: unknown, names: NameWhitelist, shared?: SharedCode): JsCompileResult {
  let generated: Generated
  try {
    generated = generate(ast, names, shared)
  } catch (error) {
    if (error instanceof Unsupported) return { ok: false, reason: error.message }
    return { ok: false, reason: `compiler error: ${error instanceof Error ? error.message : String(error)}` }
  }
  const source = functionBody(generated)
  try {
    // eslint-disable-next-line no-new-func -- the source is generated from whitelisted parts only (see codegen.ts)
    const factory = new Function('$', 'k', `'use strict'\nreturn function compiledCondition (features) {\n${source}\n}`) as
      (rt: typeof runtime, k: readonly unknown[]) => CompiledCondition
    // the set's constants, by reference: conditions compiled later add theirs, none changes
    return { ok: true, condition: factory(runtime, generated.constants), source, generated }
  } catch (error) {
    return { ok: false, reason: `compiler error: ${error instanceof Error ? error.message : String(error)}` }
  }
}
