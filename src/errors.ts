/**
 * Errors are data: every error the API returns has one of these stable codes and one shape,
 * `{ error: { code, message, details? } }`. 5xx responses never carry details of the fault.
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'validation_failed',
  UNKNOWN_FIELD: 'unknown_field',
  CARD_DATA_NOT_ALLOWED: 'card_data_not_allowed_tokenize_first',
  BODY_TOO_LARGE: 'body_too_large',
  INVALID_JSON: 'invalid_json',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  METHOD_NOT_ALLOWED: 'method_not_allowed',
  /** the request cannot be read as HTTP: a malformed request line or header, a body shorter or longer than its Content-Length */
  BAD_REQUEST: 'bad_request',
  /** the URL's path is not valid: malformed percent-encoding */
  INVALID_URL: 'invalid_url',
  /** a path parameter (a decision id...) is longer than the router accepts */
  URI_TOO_LONG: 'uri_too_long',
  /** the request line and headers together are larger than the server accepts */
  HEADERS_TOO_LARGE: 'headers_too_large',
  /** the request was not received in full in time */
  REQUEST_TIMEOUT: 'request_timeout',
  /** a conditional request (If-Match, If-Unmodified-Since) whose condition does not hold */
  PRECONDITION_FAILED: 'precondition_failed',
  /** a Range header outside the resource */
  RANGE_NOT_SATISFIABLE: 'range_not_satisfiable',
  /** the charge_id was scored with another request body: nothing was scored or counted */
  IDEMPOTENCY_CONFLICT: 'idempotency_conflict',
  /** the service cannot answer now (shutting down, its store unreachable): retry, on another instance if there is one */
  SERVICE_UNAVAILABLE: 'service_unavailable',
  /** no decision with this id is kept (unknown, or older than RISKGATE_DECISION_LOG_TTL_SECONDS) */
  DECISION_NOT_FOUND: 'decision_not_found',
  /** the Omise webhook signature is missing or matches none of the configured secrets */
  WEBHOOK_SIGNATURE_INVALID: 'webhook_signature_invalid',
  /** the Omise webhook timestamp is more than 5 minutes away from now (a replayed or delayed request) */
  WEBHOOK_TIMESTAMP_STALE: 'webhook_timestamp_stale',
  /** RISKGATE_OMISE_WEBHOOK_SECRETS is not set */
  WEBHOOK_NOT_CONFIGURED: 'webhook_not_configured',
  /** a gateway's basic auth (Adyen notifications, RISKGATE_ADYEN_BASIC_AUTH) is missing or wrong */
  WEBHOOK_AUTH_INVALID: 'webhook_auth_invalid',
  /** a rule reload was refused: the new set has errors (file:line:col in details); the old set stays live */
  RULE_SET_INVALID: 'rule_set_invalid',
  /** no challenger rule set is staged: nothing to drop or promote */
  NO_CHALLENGER: 'no_challenger',
  /** the review was closed already (approved or rejected): the first close stands */
  REVIEW_CLOSED: 'review_closed',
  /** the decision is not a `review`: there is no review to close */
  NOT_A_REVIEW: 'not_a_review',
  /** a pagination cursor that this server did not give (or from another query) */
  INVALID_CURSOR: 'invalid_cursor',
  /** POST /v1/outcomes:batch with more rows than one request takes (1,000): send them in several */
  TOO_MANY_ROWS: 'too_many_rows',
  /** a console request that changes state without a valid CSRF token */
  CSRF_INVALID: 'csrf_invalid',
  INTERNAL: 'internal_error'
} as const

export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode]

export interface ErrorDetail {
  /** JSON pointer of the offending field, e.g. `/card/number` */
  path?: string
  message: string
}

export class RiskgateError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  readonly details: ErrorDetail[] | undefined

  constructor (statusCode: number, code: ErrorCode, message: string, details?: ErrorDetail[]) {
    super(message)
    this.name = 'RiskgateError'
    this.statusCode = statusCode
    this.code = code
    this.details = details
  }
}

export interface ErrorBody {
  error: { code: ErrorCode, message: string, details?: ErrorDetail[] }
}

export function errorBody (code: ErrorCode, message: string, details?: ErrorDetail[]): ErrorBody {
  return details !== undefined && details.length > 0
    ? { error: { code, message, details } }
    : { error: { code, message } }
}
