import type { IpIntel } from '../signals/ip/ip-intel.js'
import { watchFiles } from './file-watcher.js'
import type { FileWatcher } from './file-watcher.js'

export interface HotReloadLog {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface HotReloadOptions {
  /** stat check interval (ms): the fallback for filesystems whose events fs.watch misses */
  intervalMs: number
  /** quiet time after a burst of file events (ms, default 200) */
  debounceMs?: number
  /** false: periodic check only (default true) */
  fsWatch?: boolean
  log: HotReloadLog
}

/**
 * Reloads IP data files when they are replaced on disk: every configured database and list is
 * watched; a file whose content changed is read, validated and swapped in (IpIntel.reload), a file
 * that does not load is refused with an error log and the data loaded before keeps answering (the
 * refusal shows in /readyz until a good file replaces it).
 */
export function startIpDataReload (intel: IpIntel, options: HotReloadOptions): FileWatcher {
  const initial = new Map(intel.sources.map((s) => [s.path, s.stamp]))
  return watchFiles({
    paths: intel.files.map((f) => f.path),
    initial,
    intervalMs: options.intervalMs,
    ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
    ...(options.fsWatch === undefined ? {} : { fsWatch: options.fsWatch }),
    onChange: async (paths) => {
      const outcomes = await intel.reload(paths)
      for (const outcome of outcomes) {
        if (outcome.status === 'reloaded' && outcome.source !== undefined) {
          const s = outcome.source
          options.log.info({ source: s.name, path: s.path, database_type: s.database_type, built_at: s.built_at, entries: s.entries }, 'ip data reloaded')
        } else {
          options.log.error({ source: outcome.role, path: outcome.path, reason: outcome.error }, 'ip data replacement refused: the data loaded before stays')
        }
      }
    },
    onError: (err, context) => {
      options.log.warn({ err: err instanceof Error ? err.message : String(err) }, `ip data hot reload: ${context}`)
    }
  })
}
