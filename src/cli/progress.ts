/**
 * Progress of long work on stderr: a redrawn bar when stderr is a terminal, else one line every
 * few seconds (logs and CI stay readable). Never written to stdout, which carries the results.
 */
export interface ProgressOptions {
  /** what is being done, e.g. `replaying` */
  label: string
  /** what `done` counts towards (bytes of a file); unknown for stdin */
  total?: number
  /** the stream is a terminal: draw a bar */
  tty: boolean
  now?: () => number
  /** least time between two redraws of the bar */
  redrawMs?: number
  /** time between two lines when not a terminal */
  lineMs?: number
}

export interface Progress {
  /** `done`: units of the total (bytes) done so far; `items`: things done so far (records) */
  update: (done: number, items: number) => void
  /** clears the bar and writes the final line */
  finish: (items: number) => void
}

const BAR_WIDTH = 30
const number = new Intl.NumberFormat('en-US')

export function formatCount (n: number): string {
  return number.format(Math.round(n))
}

export function createProgress (stream: NodeJS.WritableStream, options: ProgressOptions): Progress {
  const now = options.now ?? Date.now
  const redrawMs = options.redrawMs ?? 100
  const lineMs = options.lineMs ?? 5_000
  const started = now()
  let last = started
  let drawn = false

  function rate (items: number, at: number): string {
    const seconds = (at - started) / 1000
    return seconds > 0 ? `${formatCount(items / seconds)}/s` : ''
  }

  function fraction (done: number): number | undefined {
    const total = options.total
    return total === undefined || total <= 0 ? undefined : Math.min(1, done / total)
  }

  return {
    update (done, items) {
      const at = now()
      if (at - last < (options.tty ? redrawMs : lineMs)) return
      last = at
      const f = fraction(done)
      const percent = f === undefined ? '' : ` ${Math.floor(f * 100)}%`
      if (options.tty) {
        const filled = f === undefined ? 0 : Math.round(f * BAR_WIDTH)
        const bar = f === undefined ? '' : ` [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`
        stream.write(`\r\x1b[2K${options.label}${bar}${percent} ${formatCount(items)} ${rate(items, at)}`)
        drawn = true
      } else {
        stream.write(`${options.label}:${percent} ${formatCount(items)} done, ${rate(items, at)}\n`)
      }
    },
    finish (items) {
      const at = now()
      if (drawn) stream.write('\r\x1b[2K')
      const seconds = (at - started) / 1000
      stream.write(`${options.label}: ${formatCount(items)} in ${seconds.toFixed(1)} s${seconds > 0 ? ` (${rate(items, at)})` : ''}\n`)
    }
  }
}

export function isTty (stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: unknown }).isTTY === true
}
