import type { LoggerOptions } from 'pino'

/** Keys whose values are never written, at the top of a log line's object or one level below. */
const CENSORED: ReadonlySet<string> = new Set([
  'authorization', 'headers', 'body', 'card', 'email', 'ip', 'secret', 'apiKey', 'hashKey', 'password'
])
/** keys whose serializers below allow-list what they write */
const SERIALIZED: ReadonlySet<string> = new Set(['req', 'res', 'err'])
const CENSOR = '[redacted]'

function censorObject (object: Record<string, unknown>, depth: number): Record<string, unknown> {
  let out = object
  for (const key in object) {
    const value = object[key]
    let replaced: unknown = value
    if (CENSORED.has(key)) replaced = CENSOR
    else if (depth === 0 && !SERIALIZED.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      replaced = censorObject(value as Record<string, unknown>, 1)
    }
    if (replaced !== value) {
      if (out === object) out = { ...object }
      out[key] = replaced
    }
  }
  return out
}

/**
 * What riskgate logs is allow-listed: for a request its id, method, route and status, the API key
 * id and the decision id; never bodies, headers, IPs, emails or secrets. The log formatter is the
 * safety net for anything that slips into a log call anyway: it writes `[redacted]` for the
 * values of sensitive keys at the top of a line or one level below, and copies a line's object
 * only when it has one (a check of its keys otherwise: no copy per line).
 */
export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    formatters: {
      log: (object) => censorObject(object, 0)
    },
    serializers: {
      req (req: { method?: string, url?: string, routeOptions?: { url?: string }, id?: string }) {
        const route = req.routeOptions?.url
        return { method: req.method, route: route ?? (req.url ?? '').split('?')[0] }
      },
      res (res: { statusCode?: number }) {
        return { statusCode: res.statusCode }
      }
    }
  }
}
