import { ErrorCode, RiskgateError } from '../errors.js'

/**
 * Who acts on a request, as outcomes and review closes record it: set by the authentication that
 * admitted the request (`key:<key id>` for an API key, `console:<key id>` for a console session).
 */
export function requestActor (request: { actor: string | null }): string {
  if (request.actor === null) throw new RiskgateError(401, ErrorCode.UNAUTHORIZED, 'a valid API key is required: send Authorization: Bearer <secret>')
  return request.actor
}
