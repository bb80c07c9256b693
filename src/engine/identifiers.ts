/** Rule ids, velocity counter names and list names: snake_case, usable as CEL field names. */
export const SNAKE_CASE = /^[a-z][a-z0-9_]{0,63}$/

/** CEL reserved words (cel-spec, "Syntax"): they cannot be field names in a condition. */
const CEL_RESERVED: ReadonlySet<string> = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while'
])

/** Why `name` is not a valid identifier, or undefined when it is. */
export function identifierProblem (name: string): string | undefined {
  if (!SNAKE_CASE.test(name)) return `"${name}" must be snake_case (a-z, 0-9, _; starting with a letter; at most 64 characters)`
  if (CEL_RESERVED.has(name)) return `"${name}" is a reserved word in CEL`
  return undefined
}
