/**
 * Log lines written together: the lines logged during one turn of the event loop (a line per
 * request, and a loaded server answers several requests a turn) are written in one synchronous
 * write at the end of that turn, instead of one write (one system call, a few microseconds of the
 * server's CPU) per line.
 *
 * What it holds is bounded: at most `maxBytes` (4,096 by default, Linux's PIPE_BUF, so that a
 * write to a pipe that several workers share is never interleaved with another's) plus nothing:
 * a line that would pass the bound writes what is held first, and a line of `maxBytes` or more is
 * written alone at once. Nothing queues while the loop is busy: every write is synchronous, as a
 * line per write was. What a process killed with SIGKILL loses is what its current turn logged;
 * `flush()` writes what is held (server.ts calls it when the process exits).
 */
export interface BatchedLogStream {
  write: (line: string) => void
  /** writes what is held now */
  flush: () => void
}

/** the destination: a synchronous writer (pino's destination with `sync: true`) */
export interface LogSink {
  write: (text: string) => unknown
}

export const LOG_BATCH_MAX_BYTES = 4096

export function createBatchedLogStream (sink: LogSink, options: { maxBytes?: number } = {}): BatchedLogStream {
  const maxBytes = options.maxBytes ?? LOG_BATCH_MAX_BYTES
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError('maxBytes must be a positive integer')
  let held = ''
  let heldBytes = 0
  let scheduled = false

  function flush (): void {
    if (held === '') return
    const text = held
    held = ''
    heldBytes = 0
    sink.write(text)
  }

  function endOfTurn (): void {
    scheduled = false
    flush()
  }

  return {
    write (line) {
      const bytes = Buffer.byteLength(line)
      if (heldBytes + bytes > maxBytes) flush()
      if (bytes >= maxBytes) {
        sink.write(line)
        return
      }
      held += line
      heldBytes += bytes
      if (!scheduled) {
        scheduled = true
        setImmediate(endOfTurn)
      }
    },
    flush
  }
}
