import { mkdir } from 'node:fs/promises'
import { readManifest, writeManifest } from './manifest.js'
import type { Manifest } from './manifest.js'
import { lockFolder } from './folder-lock.js'
import type { MaxmindSettings } from './maxmind-settings.js'
import { updateMaxmind } from './maxmind.js'
import { updateOpenData } from './open-data.js'
import { UpdateStatus } from './outcome.js'
import type { DownloadProgress, UpdateOutcome } from './outcome.js'

export const DataUpdateSource = {
  OPEN: 'open',
  MAXMIND: 'maxmind',
  ALL: 'all'
} as const
export type DataUpdateSource = typeof DataUpdateSource[keyof typeof DataUpdateSource]

export interface DataUpdateOptions {
  /** absolute folder the databases go to (created when missing) */
  dir: string
  defaultDir: boolean
  /** what this run updates: the open data, the MaxMind editions, or both */
  open: boolean
  maxmind: MaxmindSettings | undefined
  registry: string
  maxmindUrl: string
  timeoutMs: number
  force: boolean
  /** the command that updates this folder, recorded in the manifest for the stale warning */
  updateCommand: string
  step: (line: string) => void
  progress: (label: string) => DownloadProgress
  now?: () => Date
}

/**
 * Updates the databases one after the other (one in memory at a time); a database that fails
 * leaves its file as it was and does not stop the others. The manifest is written when something
 * was installed.
 */
export async function runDataUpdate (options: DataUpdateOptions): Promise<UpdateOutcome[]> {
  await mkdir(options.dir, { recursive: true })
  const unlock = await lockFolder(options.dir)
  try {
    const manifest: Manifest = (await readManifest(options.dir)) ?? { update_command: options.updateCommand, files: {} }
    manifest.update_command = options.updateCommand
    const ctx = {
      dir: options.dir,
      defaultDir: options.defaultDir,
      timeoutMs: options.timeoutMs,
      force: options.force,
      manifest,
      step: options.step,
      progress: options.progress,
      now: options.now ?? (() => new Date())
    }
    const outcomes: UpdateOutcome[] = []
    if (options.open) outcomes.push(...await updateOpenData(ctx, options.registry))
    if (options.maxmind !== undefined) outcomes.push(...await updateMaxmind(ctx, options.maxmindUrl, options.maxmind))
    if (outcomes.some((o) => o.status === UpdateStatus.UPDATED)) await writeManifest(options.dir, manifest)
    return outcomes
  } finally {
    await unlock()
  }
}
