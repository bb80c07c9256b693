import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { IpDataRoleName } from '../../signals/ip/data-source.js'
import { writeFileAtomically } from '../tor-update.js'

/**
 * `riskgate-data.json`, beside the databases `riskgate data update` installed: what each file is,
 * where it came from and the command that updates it. It lets the next run skip a release already
 * installed, and the stale warning name the command that fixes it. Never holds a credential.
 */
export const MANIFEST_FILE = 'riskgate-data.json'

export const ManagedSource = {
  OPEN: 'open',
  MAXMIND: 'maxmind'
} as const
export type ManagedSource = typeof ManagedSource[keyof typeof ManagedSource]

export interface ManagedFile {
  role: IpDataRoleName
  source: ManagedSource
  /** `@ip-location-db/asn@2.3.2026061719`, or the MaxMind edition (`GeoLite2-ASN`) */
  origin: string
  /** the npm version, or the name of MaxMind's archive (`GeoLite2-ASN_20261201`) */
  version: string
  /** the verified digest of what was downloaded (`sha512-...`, `sha256:<hex>`) */
  digest: string
  /** the database's build date (MMDB metadata) */
  built_at: string
  updated_at: string
  bytes: number
}

export interface Manifest {
  /** the command that updates this folder (`riskgate data update`, with `--dir` when not the default) */
  update_command: string
  files: Record<string, ManagedFile>
}

function parse (text: string): Manifest | undefined {
  try {
    const value = JSON.parse(text) as Partial<Manifest>
    if (typeof value.update_command !== 'string' || typeof value.files !== 'object' || value.files === null) return undefined
    return { update_command: value.update_command, files: value.files }
  } catch {
    return undefined
  }
}

/** The manifest of a folder; undefined when there is none or it is not readable. */
export async function readManifest (dir: string): Promise<Manifest | undefined> {
  try {
    return parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'))
  } catch {
    return undefined
  }
}

/** readManifest, synchronous: for the stale warning, computed once per loaded source. */
export function readManifestSync (dir: string): Manifest | undefined {
  try {
    return parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'))
  } catch {
    return undefined
  }
}

export async function writeManifest (dir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomically(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n')
}
