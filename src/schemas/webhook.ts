import { Type } from 'typebox'
import { ErrorResponseSchema } from './error.js'

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

/** What a gateway webhook route answers besides its acknowledgement */
export const WEBHOOK_ERROR_RESPONSES = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  413: ErrorResponseSchema,
  415: ErrorResponseSchema,
  500: ErrorResponseSchema,
  503: ErrorResponseSchema
} as const
