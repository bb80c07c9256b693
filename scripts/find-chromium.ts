/** Finding a Chromium to drive headless (the console's browser tests and `npm run screenshots`). */
import { accessSync, constants } from 'node:fs'
import path from 'node:path'

/** the names a Chromium binary goes by on Linux distributions and macOS installs */
const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']

/** the first Chromium found on the PATH, or undefined (the browser tests then skip, saying so) */
export function findChromium (pathVariable = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVariable.split(path.delimiter).filter((d) => d !== '')) {
    for (const name of NAMES) {
      const candidate = path.join(dir, name)
      try {
        accessSync(candidate, constants.X_OK)
        return candidate
      } catch {}
    }
  }
  return undefined
}

/** launch arguments: no sandbox when running as root (a container, CI), which Chromium requires */
export function chromiumArgs (): string[] {
  return typeof process.getuid === 'function' && process.getuid() === 0 ? ['--no-sandbox'] : []
}
