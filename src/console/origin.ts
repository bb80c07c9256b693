import type { IncomingHttpHeaders } from 'node:http'

function header (headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Login CSRF: a sign-in must come from the console's own page. A browser says where a request
 * comes from: Sec-Fetch-Site (every current browser) decides alone, which holds behind a proxy
 * that rewrites Host; without it, the Origin must name this host (X-Forwarded-Host behind a
 * proxy: a cross-site page cannot set it without a preflight riskgate never answers). A request
 * with neither header (curl, a script) has no browser to mislead.
 */
export function sameOrigin (headers: IncomingHttpHeaders): boolean {
  const site = header(headers, 'sec-fetch-site')
  if (site !== undefined) return site === 'same-origin'
  const origin = header(headers, 'origin')
  if (origin === undefined) return true
  const host = header(headers, 'x-forwarded-host') ?? header(headers, 'host')
  if (host === undefined || origin === 'null') return false
  try {
    const url = new URL(origin)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host
  } catch {
    return false
  }
}
