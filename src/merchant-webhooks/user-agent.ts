import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../signals/ip/bundled-data.js'

/** `riskgate/<version> (merchant-webhooks)`: what the merchant's server sees as the caller */
export function webhookUserAgent (): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version?: unknown }
  const version = typeof pkg.version === 'string' ? pkg.version : 'unknown'
  return `riskgate/${version} (merchant-webhooks)`
}
