import type { FastifyInstance } from 'fastify'
import type { LightMyRequestResponse } from 'fastify'
import { analystAuth, charge, scoreAuth } from './app.js'

/** an IP of the test data (a US hosting network) that makes the default charge a `review` (score 50) */
export const REVIEW_IP = '3.0.0.1'

let n = 0
/**
 * A charge whose identifiers (IP, email, customer, card) no other charge of the process has: no
 * velocity rule fires, so its decision is what its other fields make it. `allow` from an
 * Australian consumer IP, `review` from a US hosting network (hosting and country mismatches: 50).
 */
export function uniqueCharge (decision: 'allow' | 'review', extra: Record<string, unknown> = {}): Record<string, unknown> {
  n++
  const host = `${(n >> 8) & 255}.${n & 255}`
  return charge({
    ip: decision === 'review' ? `3.0.${host}` : `1.130.${host}`,
    email: `unique.${process.pid}.${n}@example.net`,
    customer_id: `cus_unique_${process.pid}_${n}`,
    card: { bin: '424242', last4: '4242', country: 'AU', fingerprint: `fp_unique_${process.pid}_${n}`, brand: 'Visa', funding: 'credit' },
    ...extra
  })
}
/** the address on the default rule set's blocked list: the charge is a `block` */
export const BLOCKED_EMAIL = 'blocked.shopper@example.com'

export interface Scored {
  decision_id: string
  charge_id: string
  decision: 'allow' | 'review' | 'block'
  score: number
  reasons: Array<{ rule: string, description: string, values: Record<string, unknown> }>
}

export async function score (app: FastifyInstance, body: Record<string, unknown>): Promise<Scored> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(body) })
  if (res.statusCode !== 200) throw new Error(`score: ${res.statusCode} ${res.body}`)
  return res.json()
}

export async function get (app: FastifyInstance, url: string, headers: Record<string, string> = analystAuth): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'GET', url, headers })
}

export async function post (app: FastifyInstance, url: string, body: unknown, headers: Record<string, string> = analystAuth): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) })
}

export async function closeReview (app: FastifyInstance, decisionId: string, body: unknown, headers: Record<string, string> = analystAuth): Promise<LightMyRequestResponse> {
  return await post(app, `/v1/reviews/${decisionId}`, body, headers)
}

/** every page of a listing, following next_cursor to the end */
export async function allPages<T> (app: FastifyInstance, url: string, field: string): Promise<{ items: T[], pages: number }> {
  const items: T[] = []
  let pages = 0
  let cursor: string | undefined
  for (;;) {
    const sep = url.includes('?') ? '&' : '?'
    const res = await get(app, cursor === undefined ? url : `${url}${sep}cursor=${encodeURIComponent(cursor)}`)
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    const body = res.json<Record<string, unknown>>()
    items.push(...(body[field] as T[]))
    pages++
    cursor = body.next_cursor as string | undefined
    if (cursor === undefined) return { items, pages }
  }
}

/**
 * Whether a listing is in time order: `newest` first (search) or `oldest` first (the open queue).
 * Decisions of one millisecond may come in any order among themselves (Redis orders equal times by
 * member), so listings are compared as sets plus this order.
 */
export function inTimeOrder (items: ReadonlyArray<{ at: string }>, order: 'newest' | 'oldest'): boolean {
  for (let i = 1; i < items.length; i++) {
    const before = Date.parse((items[i - 1] as { at: string }).at)
    const after = Date.parse((items[i] as { at: string }).at)
    if (order === 'newest' ? after > before : after < before) return false
  }
  return true
}

/** the ids of a listing, sorted: to compare with the ids expected in it */
export function idSet (items: ReadonlyArray<{ decision_id: string }> | readonly string[]): string[] {
  return items.map((item) => typeof item === 'string' ? item : item.decision_id).sort()
}
