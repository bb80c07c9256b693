import { watch } from 'node:fs'
import type { FSWatcher } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { currentStamp } from '../signals/ip/data-source.js'
import type { FileStamp } from '../signals/ip/data-source.js'

export interface FileWatchOptions {
  /** the files to watch, as configured */
  paths: readonly string[]
  /** stamps of the file contents loaded now (see readDataFile); others are taken at start */
  initial?: ReadonlyMap<string, FileStamp>
  /** a stat of every file this often, for filesystems whose events fs.watch misses (ms) */
  intervalMs: number
  /** quiet time after the last event of a burst before the files are checked (ms, default 200) */
  debounceMs?: number
  /** false: no fs.watch, the periodic check only (default true) */
  fsWatch?: boolean
  /** called with the files whose stamp changed (replaced, rewritten, removed, back again) */
  onChange: (paths: string[]) => Promise<void> | void
  /** a directory that cannot be watched (the periodic check goes on) or a failed onChange */
  onError?: (err: unknown, context: string) => void
}

export interface FileWatcher {
  /** stats the files now (all when omitted) and reports the changed ones; resolves after onChange */
  check: (paths?: readonly string[]) => Promise<string[]>
  /** stops watching: closes every fs.watch handle and timer, waits for a check under way */
  close: () => Promise<void>
}

/**
 * Watches data files for replacement. fs.watch is set on each file's directory, not the file:
 * an atomic replace (write a temporary file, rename it over the old one) gives the name a new
 * inode, which a watch on the old file would never see. Events are debounced, then each file's
 * stamp (inode, size, modification time) is compared with the last one seen, so a burst of writes,
 * a double event or an event for another file of the folder costs one stat and no reload. The
 * periodic check catches what events miss (network filesystems, a symlink swapped elsewhere).
 * The handles keep the process alive until close(): a watcher left open is a leak, and shows.
 */
export function watchFiles (options: FileWatchOptions): FileWatcher {
  const debounceMs = options.debounceMs ?? 200
  const known = new Map<string, FileStamp>(options.initial)
  const byDir = new Map<string, Map<string, string[]>>()
  for (const path of options.paths) {
    const dir = dirname(resolve(path))
    const names = byDir.get(dir) ?? new Map<string, string[]>()
    names.set(basename(path), [...(names.get(basename(path)) ?? []), path])
    byDir.set(dir, names)
  }
  const report = options.onError ?? (() => {})

  let closed = false
  let running: Promise<string[]> = Promise.resolve([])
  const pending = new Set<string>()
  let debounce: NodeJS.Timeout | undefined

  async function checkNow (paths: readonly string[]): Promise<string[]> {
    const changed: string[] = []
    for (const path of paths) {
      const stamp = await currentStamp(path)
      if (!known.has(path)) {
        known.set(path, stamp)
        continue
      }
      if (known.get(path) !== stamp) {
        known.set(path, stamp)
        changed.push(path)
      }
    }
    if (changed.length > 0 && !closed) {
      try {
        await options.onChange(changed)
      } catch (err) {
        report(err, `reloading ${changed.join(', ')}`)
      }
    }
    return changed
  }

  // checks run one after another: a slow reload never overlaps the next check
  function check (paths: readonly string[] = options.paths): Promise<string[]> {
    const run = running.then(() => closed ? [] : checkNow(paths))
    running = run.catch(() => [])
    return run
  }

  function flush (): void {
    debounce = undefined
    const paths = [...pending]
    pending.clear()
    check(paths).catch((err: unknown) => { report(err, 'checking data files') })
  }

  const watchers: FSWatcher[] = []
  if (options.fsWatch !== false) {
    for (const [dir, names] of byDir) {
      try {
        const watcher = watch(dir, (_event, filename) => {
          if (closed) return
          const name = filename === null ? undefined : filename.toString()
          const hit = name === undefined ? [...names.values()].flat() : names.get(name)
          if (hit === undefined) return
          for (const path of hit) pending.add(path)
          if (debounce !== undefined) clearTimeout(debounce)
          debounce = setTimeout(flush, debounceMs)
        })
        watcher.on('error', (err) => {
          report(err, `watching ${dir} (the periodic check goes on)`)
          watcher.close()
        })
        watchers.push(watcher)
      } catch (err) {
        report(err, `watching ${dir} (the periodic check goes on)`)
      }
    }
  }

  // files without a stamp of their loaded content: take the present one as the starting point
  const missing = options.paths.filter((p) => !known.has(p))
  if (missing.length > 0) running = checkNow(missing).catch(() => [])

  const poll = setInterval(() => {
    check().catch((err: unknown) => { report(err, 'checking data files') })
  }, options.intervalMs)

  return {
    check,
    async close () {
      closed = true
      clearInterval(poll)
      if (debounce !== undefined) clearTimeout(debounce)
      for (const watcher of watchers) watcher.close()
      await running.catch(() => undefined)
    }
  }
}
