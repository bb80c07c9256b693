import { createReadStream } from 'node:fs'

/**
 * Splits one CSV line (RFC 4180: fields may be quoted, a quote inside a quoted field is doubled).
 * Returns undefined for a malformed line (an unterminated quote, text after a closing quote).
 */
export function parseCsvLine (line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(',')
  const fields: string[] = []
  let i = 0
  for (;;) {
    if (line.charCodeAt(i) === 34) { // '"'
      let value = ''
      let j = i + 1
      for (;;) {
        const q = line.indexOf('"', j)
        if (q === -1) return undefined
        value += line.slice(j, q)
        if (line.charCodeAt(q + 1) === 34) {
          value += '"'
          j = q + 2
          continue
        }
        i = q + 1
        break
      }
      fields.push(value)
      if (i === line.length) return fields
      if (line.charCodeAt(i) !== 44) return undefined
      i++
    } else {
      const comma = line.indexOf(',', i)
      const field = comma === -1 ? line.slice(i) : line.slice(i, comma)
      if (field.includes('"')) return undefined
      fields.push(field)
      if (comma === -1) return fields
      i = comma + 1
    }
  }
}

/** The lines of a text file, streamed (the file is never held whole), without line terminators. */
export async function * readLines (path: string): AsyncGenerator<string> {
  let rest = ''
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1024 * 1024 })) {
    const text = rest + (chunk as string)
    let start = 0
    for (;;) {
      const nl = text.indexOf('\n', start)
      if (nl === -1) break
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
      yield text.slice(start, end)
      start = nl + 1
    }
    rest = text.slice(start)
  }
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest
}
