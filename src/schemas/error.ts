import { Type } from 'typebox'
import { ErrorCode } from '../errors.js'

/** The one error shape of every route: `{ error: { code, message, details? } }`. */
export const ErrorResponseSchema = Type.Object({
  error: Type.Object({
    code: Type.Union(Object.values(ErrorCode).map((c) => Type.Literal(c))),
    message: Type.String(),
    details: Type.Optional(Type.Array(Type.Object({
      path: Type.Optional(Type.String()),
      message: Type.String()
    }, { additionalProperties: false })))
  }, { additionalProperties: false })
}, { additionalProperties: false, $id: 'ErrorResponse' })

/** Error responses every authenticated route may give. */
export const authErrorResponses = {
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  500: ErrorResponseSchema
} as const
