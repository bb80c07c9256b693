import type { FastifyBaseLogger } from 'fastify'
import { InvalidCursorError } from '../decision-log/invalid-cursor.js'
import { ErrorCode, RiskgateError } from '../errors.js'

/**
 * A read or write of the decision log on behalf of an analyst: a RiskgateError passes as it is, a
 * cursor the store refuses is 400 invalid_cursor; any other failure (the store unreachable) is logged by its type and message and answered 503
 * service_unavailable (nothing is queued: the analyst retries).
 */
export async function storeCall<T> (log: FastifyBaseLogger, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    if (err instanceof RiskgateError) throw err
    if (err instanceof InvalidCursorError) {
      throw new RiskgateError(400, ErrorCode.INVALID_CURSOR, 'this cursor was not given for this query: send the next_cursor of the previous page with the same filters, or no cursor')
    }
    const e = err instanceof Error ? err : new Error(String(err))
    log.warn({ err: { type: e.name, message: e.message } }, `${what} failed: the decision log is unavailable`)
    throw new RiskgateError(503, ErrorCode.SERVICE_UNAVAILABLE, 'the decision log cannot be reached now: retry later')
  }
}
