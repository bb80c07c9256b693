import { formatSourceError } from '../engine/yaml-source.js'
import type { SourceError } from '../engine/yaml-source.js'

/**
 * A rule set that cannot go live (src/ruleset/go-live.ts): every problem found, compile errors or
 * else lint errors, formatted one a line as `rules/ruleset.yaml:12:18 rule tor_exit: ...`. At start
 * the service refuses to start with it; on reload the old set stays live.
 */
export class RuleSetError extends Error {
  readonly errors: readonly SourceError[]
  readonly lines: readonly string[]

  constructor (errors: readonly SourceError[], summary = 'the rule set has errors') {
    const lines = errors.map((error) => formatSourceError(error))
    super(`${summary} (${errors.length}):\n${lines.join('\n')}`)
    this.name = 'RuleSetError'
    this.errors = errors
    this.lines = lines
  }
}
