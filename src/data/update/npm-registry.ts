import { download } from './download.js'
import type { DownloadOptions } from './download.js'

export const NPM_REGISTRY_URL = 'https://registry.npmjs.org'

/** The release the `latest` dist-tag points at, with where its tarball is and the digest the registry announces for it. */
export interface NpmRelease {
  name: string
  version: string
  tarball: string
  /** `dist.integrity`: Subresource Integrity, `sha512-<base64>` */
  integrity: string
}

/** The registry's answer is not package metadata riskgate can use (no latest, no tarball, no integrity). */
export class RegistryMetadataError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'RegistryMetadataError'
  }
}

/** `https://registry.npmjs.org/@scope%2fname`: the registry's document URL of a (scoped) package name. */
export function packageDocumentUrl (registry: string, name: string): string {
  return `${registry.replace(/\/+$/, '')}/${name.replace('/', '%2f')}`
}

/**
 * Reads a package's metadata (the abbreviated install document) and returns its `latest` release.
 * Download failures throw DownloadError; an answer without what is needed throws
 * RegistryMetadataError.
 */
export async function latestRelease (registry: string, name: string, options: Omit<DownloadOptions, 'accept' | 'basicAuth'>): Promise<NpmRelease> {
  const { body } = await download(packageDocumentUrl(registry, name), {
    ...options,
    accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8'
  })
  let doc: unknown
  try {
    doc = JSON.parse(body.toString('utf8'))
  } catch {
    throw new RegistryMetadataError(`the registry's answer for ${name} is not JSON`)
  }
  const latest = field(field(doc, 'dist-tags'), 'latest')
  if (typeof latest !== 'string' || latest === '') throw new RegistryMetadataError(`the registry's metadata of ${name} has no latest version`)
  const dist = field(field(field(doc, 'versions'), latest), 'dist')
  const tarball = field(dist, 'tarball')
  const integrity = field(dist, 'integrity')
  if (typeof tarball !== 'string' || !/^https?:\/\//.test(tarball)) throw new RegistryMetadataError(`${name}@${latest}: the registry names no tarball`)
  if (typeof integrity !== 'string' || integrity === '') {
    throw new RegistryMetadataError(`${name}@${latest}: the registry announces no integrity digest, so the download cannot be verified`)
  }
  return { name, version: latest, tarball, integrity }
}

function field (value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined
}
