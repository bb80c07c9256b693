import type { IpDataRoleName } from '../../signals/ip/data-source.js'
import type { Manifest, ManagedSource } from './manifest.js'

/** What came of one database in a `riskgate data update` run. */
export const UpdateStatus = {
  /** a newer release was downloaded, verified and swapped in */
  UPDATED: 'updated',
  /** the release in place is the newest: nothing downloaded */
  CURRENT: 'current',
  /** something was downloaded but did not verify (digest, archive, database): the old file is kept */
  REFUSED: 'refused',
  /** the download or the write failed (network, HTTP status, credentials, disk): the old file is kept */
  FAILED: 'failed'
} as const
export type UpdateStatus = typeof UpdateStatus[keyof typeof UpdateStatus]

export interface UpdateOutcome {
  /** `country`, `asn` (open data) or the MaxMind edition */
  id: string
  source: ManagedSource
  role: IpDataRoleName
  /** the database file (absolute) */
  path: string
  status: UpdateStatus
  /** `@ip-location-db/asn@2.3.2026061719` or the MaxMind archive name */
  release?: string
  built_at?: string
  bytes?: number
  /** what was in place before, when riskgate knows it */
  previous?: { release: string, built_at: string }
  /** why it was refused or failed; for CURRENT, what was compared */
  message?: string
}

/** Downloaded bytes that did not verify: refused, the old file kept. */
export class UpdateRefused extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UpdateRefused'
  }
}

/** Progress of one download: bytes so far, then done. */
export interface DownloadProgress {
  update: (received: number, total: number | undefined) => void
  finish: (received: number) => void
}

/** What every updater needs. */
export interface UpdateContext {
  /** the folder the databases go to (absolute, exists) */
  dir: string
  /** the folder is the default one (RISKGATE_DEV_STATE_DIR/data), which riskgate uses when present */
  defaultDir: boolean
  timeoutMs: number
  /** download and install even when the release in place is the newest */
  force: boolean
  /** read before the run, updated as files are installed, written by the caller */
  manifest: Manifest
  /** one line of what is being done (stderr) */
  step: (line: string) => void
  progress: (label: string) => DownloadProgress
  now: () => Date
}

/** largest answer accepted (the biggest MaxMind databases are a few hundred MiB) */
export const MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024
/** largest decompressed archive accepted (a gzip bomb stops here) */
export const MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024 - 1
