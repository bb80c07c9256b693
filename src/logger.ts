import type { LoggerOptions } from 'pino'

/**
 * What riskgate logs is allow-listed: for a request its id, method, route and status, the API key
 * id and the decision id; never bodies, headers, IPs, emails or secrets. Redaction is the safety
 * net for anything that slips into a log call anyway.
 */
export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers', 'headers', 'authorization', '*.authorization',
        'body', '*.body', 'card', '*.card', 'email', '*.email', 'ip', '*.ip',
        'secret', '*.secret', 'apiKey', '*.apiKey', 'hashKey', '*.hashKey', 'password', '*.password'
      ],
      censor: '[redacted]'
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
