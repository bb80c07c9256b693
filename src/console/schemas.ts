import { Type } from 'typebox'
import type { Static } from 'typebox'

export const SignInSchema = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 512, description: 'an API key secret with the analyst scope: exchanged for a session, never stored' }),
  name: Type.Optional(Type.String({ maxLength: 64, description: 'a display name shown in the console (records name the key id)' }))
}, { additionalProperties: false })
export type SignIn = Static<typeof SignInSchema>

export const SessionSchema = Type.Object({
  key_id: Type.String({ description: 'the id of the key the session stands for; actions are recorded as console:<key id>' }),
  name: Type.Union([Type.String(), Type.Null()]),
  csrf_token: Type.String({ description: 'send it as x-csrf-token with every request that changes state' }),
  idle_expires_at: Type.String({ description: 'the session ends then unless used before' }),
  expires_at: Type.String({ description: 'the session ends then at the latest' })
}, { additionalProperties: false })
export type SessionView = Static<typeof SessionSchema>
