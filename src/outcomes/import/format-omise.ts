import { OBJECT_OUTCOMES } from '../../webhooks/omise/event.js'
import type { Column, NormalizedRow } from './columns.js'
import { read } from './columns.js'
import type { ImportedOutcome } from './imported-outcome.js'
import { DECISION_ID_COLUMN, gatewayIdOf, metadataReferences, requireReference, RISKGATE_CHARGE_ID_COLUMN, timeOf, vocabularyWord } from './references.js'
import { ImportRowError, RowRefused } from './row-error.js'

/**
 * The Opn Payments (Omise) Dashboard's dispute or refund export, or a CSV of the API's dispute
 * and refund objects: one file may hold both. Column names as the API names the fields (`id`,
 * `charge`, `created_at`, `reason_code`, `metadata.riskgate_decision_id`) or titled (`Charge ID`).
 */
export const OMISE_COLUMNS = {
  id: { name: 'id', aliases: ['id', 'dispute_id', 'refund_id'] },
  kind: { name: 'object', aliases: ['object', 'type', 'kind'] },
  charge: { name: 'charge', aliases: ['charge', 'charge_id'] },
  status: { name: 'status', aliases: ['status'] },
  reason: { name: 'reason_code', aliases: ['reason_code', 'reason'] },
  created: { name: 'created_at', aliases: ['created_at', 'created', 'created_utc', 'date'] },
  decisionId: DECISION_ID_COLUMN,
  chargeId: RISKGATE_CHARGE_ID_COLUMN
} as const satisfies Record<string, Column>

/** Omise's dispute and refund ids: `dspt_...`, `rfnd_...` (`_test_` in test mode) */
const OBJECT_ID = /^(dspt|rfnd)_[A-Za-z0-9_]{1,100}$/

function kindOf (id: string, kind: string | undefined): keyof typeof OBJECT_OUTCOMES {
  const byId = id.startsWith('dspt_') ? 'dispute' : 'refund'
  const given = vocabularyWord(kind)
  if (given !== undefined && given !== byId) {
    throw new RowRefused(ImportRowError.UNKNOWN_KIND, 'the object column says another kind than the id (dspt_: dispute, rfnd_: refund)')
  }
  return byId
}

/**
 * A refund is a `refund`, a dispute a `chargeback`: the mapping of the Omise webhook's
 * `refund.create` and `dispute.create` (src/webhooks/omise/event.ts). The dispute's or refund's
 * id is the event applied once.
 */
export function readOmiseRow (row: NormalizedRow, nowMs: number): ImportedOutcome {
  const c = OMISE_COLUMNS
  const id = read(row, c.id)
  if (id === undefined || !OBJECT_ID.test(id)) {
    throw new RowRefused(ImportRowError.INVALID_EVENT_ID, 'the id column must hold the Omise dispute or refund id (dspt_... or rfnd_...)')
  }
  const kind = kindOf(id, read(row, c.kind))
  const charge = gatewayIdOf(read(row, c.charge))
  const outcome: ImportedOutcome = {
    event: { id },
    label: OBJECT_OUTCOMES[kind],
    ...metadataReferences(row),
    gatewayChargeIds: charge === undefined ? [] : [charge]
  }
  const at = timeOf(read(row, c.created), nowMs, 'created_at')
  if (at !== undefined) outcome.at = at
  const reason = vocabularyWord(read(row, c.reason))
  const status = vocabularyWord(read(row, c.status))
  const words = [reason === undefined ? undefined : `reason ${reason}`, status === undefined ? undefined : `status ${status}`].filter((w) => w !== undefined)
  outcome.note = `Omise ${kind} ${id}${words.length > 0 ? `: ${words.join(', ')}` : ''}`
  return requireReference(outcome)
}
