import { StringDecoder } from 'node:string_decoder'

export interface NdjsonStats {
  /** lines seen, blank ones included */
  lines: number
  bytes: number
}

/**
 * Streams NDJSON: calls `onLine` with every non-blank line (1-based line numbers) as the chunks
 * arrive, so memory holds one chunk and one partial line, whatever the size of the input.
 * `onChunk` receives the bytes read so far (progress).
 */
export async function readNdjsonLines (
  stream: AsyncIterable<Buffer | string>,
  onLine: (line: string, lineNo: number) => void,
  onChunk?: (stats: NdjsonStats) => void
): Promise<NdjsonStats> {
  const decoder = new StringDecoder('utf8')
  const stats: NdjsonStats = { lines: 0, bytes: 0 }
  let rest = ''
  const emit = (line: string): void => {
    stats.lines++
    const text = line.endsWith('\r') ? line.slice(0, -1) : line
    if (text.trim() !== '') onLine(text, stats.lines)
  }
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    stats.bytes += buffer.length
    const text = rest + decoder.write(buffer)
    let start = 0
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      emit(text.slice(start, nl))
      start = nl + 1
    }
    rest = text.slice(start)
    if (onChunk !== undefined) onChunk(stats)
  }
  rest += decoder.end()
  if (rest !== '') emit(rest)
  return stats
}
