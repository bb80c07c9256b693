import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { IpDataRoleName, IpDataSource } from '../../signals/ip/data-source.js'
import { openMmdbFile } from '../../signals/ip/mmdb-file.js'
import type { MmdbFile } from '../../signals/ip/mmdb-file.js'
import { UpdateRefused } from './outcome.js'

export interface Installed {
  path: string
  bytes: number
  source: IpDataSource
}

/**
 * Installs a database atomically: writes it under a temporary name in the target's folder
 * (same filesystem), flushes it, opens it with the loader the server uses for `role` (format,
 * structure, database type for the role) plus `check`, and only then renames it over `path`. A
 * running riskgate watching `path` reloads it; a reader sees the old file or the new one, never a
 * part. Refused (UpdateRefused) or failed, the temporary file is removed and `path` is left as it was.
 */
export async function installMmdb (path: string, content: Buffer, role: IpDataRoleName, check?: (db: MmdbFile) => string | undefined): Promise<Installed> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await open(temporary, 'wx', 0o644)
    try {
      await handle.writeFile(content)
      await handle.sync()
    } finally {
      await handle.close()
    }
    let db: MmdbFile
    try {
      db = await openMmdbFile(temporary, role)
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      throw new UpdateRefused(message.split(temporary).join(`the new ${basename(path)}`))
    }
    const problem = check?.(db)
    if (problem !== undefined) throw new UpdateRefused(problem)
    await rename(temporary, path)
    await syncFolder(dirname(path))
    return { path, bytes: content.length, source: { ...db.source, path } }
  } catch (err) {
    await unlink(temporary).catch(() => undefined)
    throw err
  }
}

/** make a rename durable (best effort: not every platform can open a folder) */
async function syncFolder (folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r')
    try { await handle.sync() } finally { await handle.close() }
  } catch {}
}
