import type { Column, NormalizedRow } from './columns.js'
import { read } from './columns.js'
import type { ImportedOutcome } from './imported-outcome.js'
import { parseReportedAt } from './reported-at.js'
import { ImportRowError, RowRefused } from './row-error.js'

/** riskgate's ids, as a decision_id column or as the gateway object's metadata in an export */
export const DECISION_ID_COLUMN: Column = {
  name: 'riskgate_decision_id',
  aliases: ['riskgate_decision_id', 'riskgate_decision_id_metadata', 'metadata_riskgate_decision_id']
}
export const RISKGATE_CHARGE_ID_COLUMN: Column = {
  name: 'riskgate_charge_id',
  aliases: ['riskgate_charge_id', 'riskgate_charge_id_metadata', 'metadata_riskgate_charge_id']
}

const DECISION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** a charge id as POST /v1/score takes it: 1-128 characters */
const MAX_CHARGE_ID = 128
const GATEWAY_ID = /^[A-Za-z0-9_-]{1,128}$/

export function decisionIdOf (text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  const id = text.toLowerCase()
  if (!DECISION_ID.test(id)) throw new RowRefused(ImportRowError.INVALID_REFERENCE, 'the decision id is not one riskgate gives (a UUID)')
  return id
}

export function chargeIdOf (text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  if (text.length > MAX_CHARGE_ID) throw new RowRefused(ImportRowError.INVALID_REFERENCE, `the charge id is longer than ${MAX_CHARGE_ID} characters`)
  return text
}

export function gatewayIdOf (text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  if (!GATEWAY_ID.test(text)) throw new RowRefused(ImportRowError.INVALID_REFERENCE, 'the gateway charge id is not an id (letters, digits, _ and -)')
  return text
}

/** riskgate's ids from the metadata columns of a gateway's export */
export function metadataReferences (row: NormalizedRow): Pick<ImportedOutcome, 'decisionId' | 'chargeId'> {
  const out: Pick<ImportedOutcome, 'decisionId' | 'chargeId'> = {}
  const decisionId = decisionIdOf(read(row, DECISION_ID_COLUMN))
  const chargeId = chargeIdOf(read(row, RISKGATE_CHARGE_ID_COLUMN))
  if (decisionId !== undefined) out.decisionId = decisionId
  if (chargeId !== undefined) out.chargeId = chargeId
  return out
}

/** the row's time as ISO 8601, or nothing when the column is empty */
export function timeOf (text: string | undefined, nowMs: number, what: string): string | undefined {
  if (text === undefined) return undefined
  const at = parseReportedAt(text, nowMs)
  if (at === undefined) throw new RowRefused(ImportRowError.INVALID_TIME, `${what} is not a date and time (ISO 8601, or Unix seconds), or is more than a day ahead`)
  return at
}

/** the row names something to find its decision by */
export function requireReference (outcome: ImportedOutcome): ImportedOutcome {
  if (outcome.decisionId === undefined && outcome.chargeId === undefined && outcome.gatewayChargeIds.length === 0) {
    throw new RowRefused(ImportRowError.MISSING_REFERENCE, 'the row has nothing to find its decision by (a decision id, a charge id or the gateway\'s charge id)')
  }
  return outcome
}

/**
 * A word of the gateway's own vocabulary (a dispute reason, a status: `fraudulent`, `Needs
 * response`) as snake case, safe to keep in a note; anything else (digits, `@`, dots: what could
 * be an identifier) is not kept.
 */
export function vocabularyWord (text: string | undefined): string | undefined {
  if (text === undefined || !/^[A-Za-z][A-Za-z _-]{0,39}$/.test(text)) return undefined
  return text.toLowerCase().replace(/[ _-]+/g, '_').replace(/_+$/, '')
}
