import type { DecisionLogStore } from '../decision-log/store.js'

/** What a gateway event carries that can lead to a recorded decision. */
export interface DecisionReferences {
  /** `riskgate_decision_id` from the metadata the merchant set at the gateway */
  decisionId?: string | undefined
  /** `riskgate_charge_id` from that metadata */
  chargeId?: string | undefined
  /**
   * The gateway's own ids, tried in this order, each as a scored `charge_id` or as a gateway id an
   * earlier event linked to a decision (undefined entries are skipped)
   */
  gatewayIds?: ReadonlyArray<string | undefined>
  /**
   * The gateway's id of the payment itself: once the decision is found another way, it is linked to
   * the decision, so that a later event naming only that id (a refund, a dispute) finds it too
   */
  linkId?: string | undefined
}

export type DecisionFinderStore = Pick<DecisionLogStore, 'findByChargeId' | 'linkCharge' | 'keys' | 'lookup'>

/**
 * The decision a gateway event is about, the first the log knows of (recorded, or being decided):
 * `riskgate_decision_id`, `riskgate_charge_id`, then each gateway id in order. Links `linkId` to it
 * unless `linkId` is what found it. Undefined when none matches (yet: its record may be on its way).
 * Every gateway webhook finds its decision here.
 */
export async function findDecision (store: DecisionFinderStore, references: DecisionReferences): Promise<string | undefined> {
  const { decisionId: metadataDecisionId, chargeId, gatewayIds = [], linkId } = references
  const fromMetadata = [
    metadataDecisionId === undefined ? undefined : store.keys.ofDecisionId(metadataDecisionId),
    chargeId === undefined ? undefined : store.keys.ofCharge(chargeId)
  ]
  let decisionId: string | undefined
  let foundBy: string | undefined
  for (const key of fromMetadata) {
    if (key !== undefined && (await store.lookup(key)).status !== 'none') {
      decisionId = key.decisionId
      break
    }
  }
  if (decisionId === undefined) {
    for (const id of gatewayIds) {
      if (id === undefined) continue
      decisionId = await store.findByChargeId(id)
      if (decisionId !== undefined) {
        foundBy = id
        break
      }
    }
  }
  if (decisionId !== undefined && linkId !== undefined && linkId !== foundBy) await store.linkCharge(linkId, decisionId)
  return decisionId
}

/** whether the event carries riskgate's ids in its metadata */
export function hasMetadata (references: DecisionReferences): boolean {
  return references.decisionId !== undefined || references.chargeId !== undefined
}
