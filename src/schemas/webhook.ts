import { Type } from 'typebox'

export const WebhookAckSchema = Type.Object({
  received: Type.Literal(true),
  /** true when this event id was delivered before: it is not applied again */
  duplicate: Type.Boolean()
}, { additionalProperties: false })
