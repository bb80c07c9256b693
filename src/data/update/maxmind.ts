import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { readTarGz } from './archive.js'
import { download, DownloadError, DownloadFailure } from './download.js'
import { failure } from './failure.js'
import { installMmdb } from './install.js'
import { parseSha256Line, sha256Hex } from './integrity.js'
import { ManagedSource } from './manifest.js'
import type { MaxmindEdition, MaxmindSettings } from './maxmind-settings.js'
import { MAX_DOWNLOAD_BYTES, UpdateRefused, UpdateStatus } from './outcome.js'
import type { UpdateContext, UpdateOutcome } from './outcome.js'

/**
 * MaxMind's GeoIP2 and GeoLite2 databases, downloaded the way MaxMind documents for direct
 * downloads: for each edition, the archive's SHA-256 from
 * `<base>/geoip/databases/<edition>/download?suffix=tar.gz.sha256`, then the archive from
 * `...?suffix=tar.gz`, both with HTTP basic auth (account ID, license key), redirects followed
 * (MaxMind redirects to presigned storage URLs; fetch drops the Authorization header on a
 * redirect to another origin). The archive must match the published SHA-256 and hold an .mmdb
 * whose database_type is the edition; it is then opened with the server's loader and swapped in.
 * When the published SHA-256 is the one of the archive installed last time, nothing is downloaded.
 */
export function editionUrl (base: string, edition: string, suffix: 'tar.gz' | 'tar.gz.sha256'): string {
  return `${base.replace(/\/+$/, '')}/geoip/databases/${encodeURIComponent(edition)}/download?suffix=${suffix}`
}

export async function updateMaxmind (ctx: UpdateContext, base: string, settings: MaxmindSettings): Promise<UpdateOutcome[]> {
  const outcomes: UpdateOutcome[] = []
  for (const edition of settings.editions) outcomes.push(await updateEdition(edition, ctx, base, settings))
  return outcomes
}

async function updateEdition (edition: MaxmindEdition, ctx: UpdateContext, base: string, settings: MaxmindSettings): Promise<UpdateOutcome> {
  const file = `${edition.id}.mmdb`
  const path = join(ctx.dir, file)
  const before = ctx.manifest.files[file]
  const outcome: UpdateOutcome = { id: edition.id, source: ManagedSource.MAXMIND, role: edition.role, path, status: UpdateStatus.FAILED }
  if (before !== undefined) outcome.previous = { release: before.version, built_at: before.built_at }
  const auth = { user: settings.accountId, password: settings.licenseKey }
  try {
    ctx.step(`${edition.id}: asking MaxMind for the SHA-256 of the newest archive`)
    const checksum = await download(editionUrl(base, edition.id, 'tar.gz.sha256'), { timeoutMs: ctx.timeoutMs, maxBytes: 64 * 1024, basicAuth: auth })
    const expected = parseSha256Line(checksum.body.toString('utf8'))
    if (expected === undefined) throw new UpdateRefused(`${edition.id}: the published checksum is not a SHA-256 line`)
    const digest = `sha256:${expected}`
    if (!ctx.force && before?.digest === digest && existsSync(path)) {
      return { ...outcome, status: UpdateStatus.CURRENT, release: before.version, built_at: before.built_at, message: `${file} is this archive` }
    }

    const progress = ctx.progress(`${edition.id}: downloading`)
    const archive = await download(editionUrl(base, edition.id, 'tar.gz'), {
      timeoutMs: ctx.timeoutMs,
      maxBytes: MAX_DOWNLOAD_BYTES,
      basicAuth: auth,
      onProgress: progress.update
    })
    progress.finish(archive.body.length)
    if (sha256Hex(archive.body) !== expected) throw new UpdateRefused(`${edition.id}: the archive does not match the SHA-256 MaxMind publishes for it`)
    ctx.step(`${edition.id}: sha256 verified`)

    const entries = await readTarGz(archive.body, `the ${edition.id} archive`)
    const entry = entries.find((e) => e.name.endsWith('.mmdb'))
    if (entry === undefined) throw new UpdateRefused(`${edition.id}: the archive holds no .mmdb file`)
    const release = entry.name.includes('/') ? entry.name.slice(0, entry.name.indexOf('/')) : edition.id
    const installed = await installMmdb(path, entry.data, edition.role, (db) => db.databaseType === edition.id
      ? undefined
      : `${edition.id}: the database in the archive is a ${db.databaseType === '' ? 'database without a type' : db.databaseType}, not ${edition.id}`)
    ctx.step(`${edition.id}: opened with the server's loader (${installed.source.database_type ?? ''}), swapped in`)
    ctx.manifest.files[file] = {
      role: edition.role,
      source: ManagedSource.MAXMIND,
      origin: edition.id,
      version: release,
      digest,
      built_at: installed.source.built_at,
      updated_at: ctx.now().toISOString(),
      bytes: installed.bytes
    }
    return { ...outcome, status: UpdateStatus.UPDATED, release, built_at: installed.source.built_at, bytes: installed.bytes }
  } catch (err) {
    if (err instanceof DownloadError && err.failure === DownloadFailure.HTTP && (err.status === 401 || err.status === 403)) {
      return {
        ...outcome,
        status: UpdateStatus.FAILED,
        message: `MaxMind refused the download (HTTP ${err.status}): check RISKGATE_MAXMIND_ACCOUNT_ID and RISKGATE_MAXMIND_LICENSE_KEY, and that the account may download ${edition.id}`
      }
    }
    return { ...outcome, ...failure(err) }
  }
}
