import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Development-only secrets, kept in a local folder (git-ignored, files mode 0600) so that a
 * newcomer's first `npm start` is secure by default and still works without configuration:
 * the API key's secret is written to a file, never logged. Production refuses to start without
 * configured keys (see load-config.ts).
 */
export async function readOrCreateSecret (dir: string, name: string, prefix = ''): Promise<{ value: string, file: string, created: boolean }> {
  const file = join(dir, name)
  try {
    const value = (await readFile(file, 'utf8')).trim()
    if (value.length >= 32) return { value, file, created: false }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const value = prefix + randomBytes(32).toString('base64url')
  await writeFile(file, value + '\n', { mode: 0o600 })
  return { value, file, created: true }
}
