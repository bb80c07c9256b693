import { randomBytes } from 'node:crypto'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config/load-config.js'
import { projectRoot } from '../src/signals/ip/bundled-data.js'
import { benchApiKeys } from './api-key.js'

/**
 * The service's app as the benches drive it in their own process: built from a production
 * configuration (the default rules, a fresh API key and hash key, a 1 s deadline so that a busy
 * machine does not decide charges without velocity, no log output), ready. `env` adds settings or
 * replaces these: RISKGATE_REDIS_URL for Redis (without it, the in-process stores), a hash key
 * shared by two apps, another rules directory.
 */
export async function benchServiceApp (env: Record<string, string> = {}): Promise<FastifyInstance> {
  const { config } = await loadConfig({
    NODE_ENV: 'production',
    RISKGATE_RULES_DIR: path.join(projectRoot(), 'rules'),
    RISKGATE_API_KEYS: benchApiKeys('score', randomBytes(32).toString('base64url')),
    RISKGATE_HASH_KEY: randomBytes(32).toString('base64url'),
    RISKGATE_DEADLINE_MS: '1000',
    RISKGATE_LOG_LEVEL: 'silent',
    // as for the load phase's server (bench/servers.ts): a busy machine's event loop delay would
    // shed the measured requests
    RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env
  })
  const app = await buildApp(config, { logStream: { write: () => {} } })
  await app.ready()
  return app
}
