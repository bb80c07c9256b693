import { Type } from 'typebox'

export const WebhookAckSchema = Type.Object({
  received: Type.Literal(true),
  /** true when this event id was delivered before: it is not applied again */
  duplicate: Type.Boolean()
}, { additionalProperties: false })

/** What Adyen expects of an endpoint that took a notification: 200 with the plain-text body `[accepted]`. */
export const ADYEN_ACCEPTED = '[accepted]' as const

export const AdyenAckSchema = Type.Literal(ADYEN_ACCEPTED, {
  description: 'the notification was taken (each item applied once, in the background): Adyen stops retrying it'
})
