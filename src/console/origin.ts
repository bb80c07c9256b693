import type { IncomingHttpHeaders } from 'node:http'

/**
 * Login CSRF: a sign-in must come from the console's own page. A browser says where a request
 * comes from (Sec-Fetch-Site, Origin); a cross-site form or script posting a key of the attacker's
 * is refused. A request without either header (curl, a test) has no browser to mislead.
 */
export function sameOrigin (headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin') return false
  const origin = headers.origin
  if (origin === undefined) return true
  const host = headers.host
  if (host === undefined || origin === 'null') return false
  try {
    const url = new URL(origin)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host
  } catch {
    return false
  }
}
