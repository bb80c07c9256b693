import { gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import { readTar, TarError } from './ustar.js'
import type { TarEntry } from './ustar.js'
import { MAX_ARCHIVE_BYTES, UpdateRefused } from './outcome.js'

const gunzipAsync = promisify(gunzip)

/** The regular files of a .tar.gz held in memory; a damaged or oversized archive is refused. */
export async function readTarGz (archive: Buffer, what: string): Promise<TarEntry[]> {
  let tar: Buffer
  try {
    tar = await gunzipAsync(archive, { maxOutputLength: MAX_ARCHIVE_BYTES })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    throw new UpdateRefused(code === 'ERR_BUFFER_TOO_LARGE'
      ? `${what} unpacks to more than ${MAX_ARCHIVE_BYTES} bytes`
      : `${what} is not a gzip archive (${err instanceof Error ? err.message : String(err)})`)
  }
  try {
    return readTar(tar)
  } catch (err) {
    if (err instanceof TarError) throw new UpdateRefused(`${what} is not a valid tar archive: ${err.message}`)
    throw err
  }
}
