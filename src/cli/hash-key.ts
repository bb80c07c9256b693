import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { CliIo } from './command.js'

export type HashKeySource =
  | { key: string, from: 'RISKGATE_HASH_KEY' | 'development key file', file?: string }
  | { key: undefined, from: 'none' }

export const DEV_HASH_KEY_FILE = 'dev-hash-key'

/**
 * The key the service hashed identifiers with (RISKGATE_HASH_KEY), for commands that must hash
 * the same way (backtests hash list entries to match recorded identifiers). Without it, the
 * development key the service created in RISKGATE_DEV_STATE_DIR (default ./.riskgate) is read,
 * never created: a key that does not exist yet cannot have hashed anything.
 */
export async function resolveHashKey (io: CliIo): Promise<HashKeySource> {
  const configured = io.env.RISKGATE_HASH_KEY
  if (configured !== undefined && configured !== '') return { key: configured, from: 'RISKGATE_HASH_KEY' }
  const file = path.resolve(io.cwd, io.env.RISKGATE_DEV_STATE_DIR ?? '.riskgate', DEV_HASH_KEY_FILE)
  try {
    const key = (await readFile(file, 'utf8')).trim()
    if (key.length >= 32) return { key, from: 'development key file', file }
  } catch {
    // no development key: fall through
  }
  return { key: undefined, from: 'none' }
}
