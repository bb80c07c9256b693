import type { DecisionRecord } from '../decision-log/record.js'

const DECISIONS: ReadonlySet<unknown> = new Set(['allow', 'review', 'block'])

function isObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function isStringArray (value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string')
}

/**
 * Parses one NDJSON line into a DecisionRecord (version 1), or says why it is not one. Only what
 * a backtest reads is checked; the features go to the engine as recorded.
 */
export function parseRecordLine (line: string): { ok: true, record: DecisionRecord } | { ok: false, error: string } {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return { ok: false, error: 'not JSON' }
  }
  if (!isObject(value)) return { ok: false, error: 'not a JSON object' }
  if (value.v !== 1) return { ok: false, error: `unsupported record version ${JSON.stringify(value.v)} (expected 1)` }
  const features = value.features
  if (!isObject(features) || !isObject(features.ip)) return { ok: false, error: 'features (with ip) missing' }
  if (typeof value.decision_id !== 'string' || typeof value.charge_id !== 'string') return { ok: false, error: 'decision_id or charge_id missing' }
  if (typeof value.at !== 'string' || Number.isNaN(Date.parse(value.at))) return { ok: false, error: 'at must be an ISO 8601 time' }
  if (typeof value.amount !== 'number' || typeof value.currency !== 'string') return { ok: false, error: 'amount or currency missing' }
  if (!DECISIONS.has(value.decision) || typeof value.score !== 'number') return { ok: false, error: 'decision or score missing' }
  if (!isStringArray(value.fired)) return { ok: false, error: 'fired must be a list of rule ids' }
  const ruleset = value.ruleset
  if (!isObject(ruleset) || typeof ruleset.hash !== 'string' || typeof ruleset.version !== 'string') return { ok: false, error: 'ruleset { version, hash } missing' }
  if (value.engine !== undefined && (typeof value.engine !== 'number' || !Number.isSafeInteger(value.engine) || value.engine < 1)) return { ok: false, error: 'engine must be a positive integer' }
  if (value.outcome !== undefined && (!isObject(value.outcome) || typeof value.outcome.label !== 'string')) return { ok: false, error: 'outcome must have a label' }
  return { ok: true, record: value as unknown as DecisionRecord }
}
