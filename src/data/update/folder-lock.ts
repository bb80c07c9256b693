import { open, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * One `riskgate data update` at a time per folder (two cron jobs overlapping would download
 * twice and race on the manifest): a lock file created exclusively, holding the process id. A lock
 * left by a process that is gone is taken over.
 */
export const LOCK_FILE = '.riskgate-data-update.lock'

export class FolderLocked extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'FolderLocked'
  }
}

export async function lockFolder (dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644)
      try { await handle.writeFile(`${process.pid}\n`) } finally { await handle.close() }
      return async () => { await unlink(path).catch(() => undefined) }
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EEXIST') throw err
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim())
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new FolderLocked(`another riskgate data update (process ${holder}) is working in ${dir}; if none is, remove ${path}`)
      }
      await unlink(path).catch(() => undefined)
    }
  }
  throw new FolderLocked(`cannot take the lock ${path}`)
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as { code?: unknown }).code === 'EPERM'
  }
}
