import { basename, dirname, resolve } from 'node:path'
import type { IpDataSource } from '../signals/ip/data-source.js'
import { IpDataRole } from '../signals/ip/data-source.js'
import { bundledDataPaths } from '../signals/ip/bundled-data.js'
import { readManifestSync } from './update/manifest.js'

/**
 * What fixes a stale source, as precisely as riskgate knows it:
 * - the Tor exit list: `riskgate data update-tor`;
 * - the bundled open data: `riskgate data update` (it fetches the newest release into
 *   RISKGATE_DEV_STATE_DIR/data, which riskgate then uses instead of the bundled copy);
 * - a database `riskgate data update` installed (its folder's manifest lists it): the command
 *   recorded there, with `--dir` when it is not the default folder;
 * - any other file: replacing it, since riskgate does not manage it.
 */
export type HintedSource = Pick<IpDataSource, 'name'> & { path?: string }

const cached = new WeakMap<object, string>()

export function refreshHint (source: HintedSource): string {
  let hint = cached.get(source)
  if (hint === undefined) {
    hint = computeHint(source)
    cached.set(source, hint)
  }
  return hint
}

function computeHint (source: HintedSource): string {
  if (source.name === IpDataRole.TOR_EXITS) return 'run `riskgate data update-tor`'
  const path = source.path
  if (path !== undefined) {
    if (isBundled(path)) {
      return 'run `riskgate data update` (it fetches the newest open data; riskgate uses it instead of the bundled copy from its next start)'
    }
    const manifest = readManifestSync(dirname(path))
    if (manifest?.files[basename(path)] !== undefined) return `run \`${manifest.update_command}\``
  }
  return 'replace the file with a newer build (riskgate does not manage this file)'
}

function isBundled (path: string): boolean {
  try {
    const bundled = bundledDataPaths()
    const file = resolve(path)
    return file === resolve(bundled.countryDb) || file === resolve(bundled.asnDb)
  } catch {
    return false
  }
}
