import { DownloadError } from './download.js'
import { RegistryMetadataError } from './npm-registry.js'
import { UpdateRefused, UpdateStatus } from './outcome.js'
import type { UpdateOutcome } from './outcome.js'

/** How an error ends an update: refused (did not verify) or failed (download, disk). */
export function failure (err: unknown): Pick<UpdateOutcome, 'status' | 'message'> {
  if (err instanceof UpdateRefused || err instanceof RegistryMetadataError) return { status: UpdateStatus.REFUSED, message: err.message }
  if (err instanceof DownloadError) return { status: UpdateStatus.FAILED, message: `download failed: ${err.message}` }
  return { status: UpdateStatus.FAILED, message: err instanceof Error ? err.message : String(err) }
}
