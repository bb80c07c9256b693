import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AsnCsvError, buildEpochFromPackageVersion, compileAsnCsv } from '../../mmdb/build-asn.js'
import { ASN_PACKAGE, bundledDataPaths, COUNTRY_FILE, COUNTRY_PACKAGE, packageVersion } from '../../signals/ip/bundled-data.js'
import { IpDataRole } from '../../signals/ip/data-source.js'
import type { IpDataRoleName } from '../../signals/ip/data-source.js'
import { readTarGz } from './archive.js'
import { download } from './download.js'
import { failure } from './failure.js'
import { installMmdb } from './install.js'
import type { Installed } from './install.js'
import { checkSri } from './integrity.js'
import { ManagedSource } from './manifest.js'
import { latestRelease } from './npm-registry.js'
import type { NpmRelease } from './npm-registry.js'
import { findEntry } from './ustar.js'
import type { TarEntry } from './ustar.js'
import { MAX_DOWNLOAD_BYTES, UpdateRefused, UpdateStatus } from './outcome.js'
import type { UpdateContext, UpdateOutcome } from './outcome.js'
import { OPEN_DATA_FILES } from './paths.js'

/**
 * The open data, as the ip-location-db project publishes it on the npm registry: the country
 * database as it is, and the ASN CSVs compiled into an MMDB by riskgate's own writer, exactly as
 * `npm run data:build` does (the same version gives the same bytes).
 */
interface OpenDatabase {
  id: 'country' | 'asn'
  role: IpDataRoleName
  packageName: string
  file: string
  /** the bundled copy riskgate falls back to (it must exist for its release to count as in place) */
  bundledPath: () => string
  /** the database bytes, from the package's files */
  build: (entries: TarEntry[], release: NpmRelease, ctx: UpdateContext) => Promise<Buffer>
}

const OPEN_DATABASES: readonly OpenDatabase[] = [
  {
    id: 'country',
    role: IpDataRole.COUNTRY,
    packageName: COUNTRY_PACKAGE,
    file: OPEN_DATA_FILES.country,
    bundledPath: () => bundledDataPaths().countryDb,
    build: async (entries, release) => {
      const entry = findEntry(entries, COUNTRY_FILE)
      if (entry === undefined) throw new UpdateRefused(`${release.name}@${release.version} has no ${COUNTRY_FILE}`)
      return entry.data
    }
  },
  {
    id: 'asn',
    role: IpDataRole.ASN,
    packageName: ASN_PACKAGE,
    file: OPEN_DATA_FILES.asn,
    bundledPath: () => bundledDataPaths().asnDb,
    build: buildAsn
  }
]

export async function updateOpenData (ctx: UpdateContext, registry: string): Promise<UpdateOutcome[]> {
  const outcomes: UpdateOutcome[] = []
  for (const db of OPEN_DATABASES) outcomes.push(await updateOne(db, ctx, registry))
  return outcomes
}

async function updateOne (db: OpenDatabase, ctx: UpdateContext, registry: string): Promise<UpdateOutcome> {
  const path = join(ctx.dir, db.file)
  const base = { id: db.id, source: ManagedSource.OPEN, role: db.role, path }
  const before = ctx.manifest.files[db.file]
  const previous = before === undefined ? undefined : { release: before.version, built_at: before.built_at }
  const withPrevious = previous === undefined ? base : { ...base, previous }
  try {
    ctx.step(`${db.id}: asking ${registry} for the latest ${db.packageName}`)
    const release = await latestRelease(registry, db.packageName, { timeoutMs: ctx.timeoutMs, maxBytes: 64 * 1024 * 1024 })
    const name = `${release.name}@${release.version}`
    const current = currentRelease(db, ctx, path)
    if (!ctx.force && current?.version === release.version) {
      const out: UpdateOutcome = { ...withPrevious, status: UpdateStatus.CURRENT, release: name, message: current.what }
      if (current.builtAt !== undefined) out.built_at = current.builtAt
      return out
    }

    const progress = ctx.progress(`${db.id}: downloading ${name}`)
    const { body } = await download(release.tarball, {
      timeoutMs: ctx.timeoutMs,
      maxBytes: MAX_DOWNLOAD_BYTES,
      accept: 'application/octet-stream',
      onProgress: progress.update
    })
    progress.finish(body.length)
    const verified = checkSri(body, release.integrity)
    if (!verified.ok) throw new UpdateRefused(`${name}: the tarball does not match the registry's dist.integrity (${verified.message})`)
    ctx.step(`${db.id}: ${verified.algorithm} integrity verified`)

    const entries = await readTarGz(body, `the ${name} tarball`)
    const content = await db.build(entries, release, ctx)
    const installed: Installed = await installMmdb(path, content, db.role)
    ctx.step(`${db.id}: opened with the server's loader (${installed.source.database_type ?? ''}), swapped in`)
    ctx.manifest.files[db.file] = {
      role: db.role,
      source: ManagedSource.OPEN,
      origin: name,
      version: release.version,
      digest: release.integrity,
      built_at: installed.source.built_at,
      updated_at: ctx.now().toISOString(),
      bytes: installed.bytes
    }
    return { ...withPrevious, status: UpdateStatus.UPDATED, release: name, built_at: installed.source.built_at, bytes: installed.bytes }
  } catch (err) {
    return { ...withPrevious, ...failure(err) }
  }
}

/**
 * The release in place: the one this folder's manifest records (its file present), or, in the
 * default folder with no update yet, the bundled package's when its file is there (riskgate
 * serves it then; an ASN database never built is not in place).
 */
function currentRelease (db: OpenDatabase, ctx: UpdateContext, path: string): { version: string, what: string, builtAt: string | undefined } | undefined {
  if (existsSync(path)) {
    const recorded = ctx.manifest.files[db.file]
    return recorded === undefined ? undefined : { version: recorded.version, what: `${db.file} is this release`, builtAt: recorded.built_at }
  }
  if (!ctx.defaultDir) return undefined
  try {
    if (!existsSync(db.bundledPath())) return undefined
    const version = packageVersion(db.packageName)
    return { version, what: 'the bundled data is this release', builtAt: buildEpochFromPackageVersion(version)?.toISOString() }
  } catch {
    return undefined
  }
}

async function buildAsn (entries: TarEntry[], release: NpmRelease, ctx: UpdateContext): Promise<Buffer> {
  const name = `${release.name}@${release.version}`
  const buildEpoch = buildEpochFromPackageVersion(release.version)
  if (buildEpoch === undefined) throw new UpdateRefused(`${name}: the version carries no data date (YYYYMMDDHH)`)
  const csvs = ['asn-ipv4.csv', 'asn-ipv6.csv'].map((file) => {
    const entry = findEntry(entries, file)
    if (entry === undefined) throw new UpdateRefused(`${name} has no ${file}`)
    return { file, data: entry.data }
  })
  // the CSVs are read as files, as `npm run data:build` reads them from the package
  const folder = await mkdtemp(join(ctx.dir, '.asn-csv-'))
  try {
    const csvFiles: string[] = []
    for (const csv of csvs) {
      const path = join(folder, csv.file)
      await writeFile(path, csv.data)
      csvFiles.push(path)
    }
    ctx.step(`asn: compiling ${csvs.map((c) => c.file).join(' and ')} into an MMDB`)
    let compiled: Awaited<ReturnType<typeof compileAsnCsv>>
    try {
      compiled = await compileAsnCsv({
        csvFiles,
        buildEpoch,
        description: `IP to ASN from ${ASN_PACKAGE}@${release.version} (CC BY 4.0: RouteViews, DB-IP, NRO), compiled by riskgate`
      })
    } catch (err) {
      if (err instanceof AsnCsvError) throw new UpdateRefused(`${name}: ${err.message.split(folder + '/').join('')}`)
      throw err
    }
    if (compiled.result.rows === 0) throw new UpdateRefused(`${name}: the CSVs hold no routed range`)
    ctx.step(`asn: ${compiled.result.rows} ranges -> ${compiled.result.networks} networks, ${compiled.result.nodeCount} nodes`)
    return compiled.buffer
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}
