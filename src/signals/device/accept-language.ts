/**
 * The shopper's first preferred language from an Accept-Language header (RFC 9110 12.5.4): the
 * range with the highest q-value (the first of equals; no q means 1), `*` and `q=0` ranges left out,
 * as its primary language subtag in lower case: `id` from `id-ID,id;q=0.9,en;q=0.8`, `en` from
 * `fr;q=0.5, en-GB`. Undefined when no range names a language (empty, `*`, malformed).
 */
export function preferredLanguage (header: string): string | undefined {
  let best: string | undefined
  let bestQ = 0
  let start = 0
  while (start <= header.length) {
    let end = header.indexOf(',', start)
    if (end < 0) end = header.length
    const semicolon = header.indexOf(';', start)
    const tagEnd = semicolon >= 0 && semicolon < end ? semicolon : end
    const q = tagEnd < end ? qValue(header, tagEnd + 1, end) : 1
    if (q > bestQ) {
      const language = primarySubtag(header, start, tagEnd)
      if (language !== undefined) {
        best = language
        bestQ = q
      }
    }
    start = end + 1
  }
  return best
}

const LANGUAGE = /^[a-z]{2,8}$/

/** the primary subtag of the range between `from` and `to`: letters only, 2 to 8 of them */
function primarySubtag (header: string, from: number, to: number): string | undefined {
  const range = header.slice(from, to).trim()
  let end = range.length
  for (let i = 0; i < range.length; i++) {
    const c = range.charCodeAt(i)
    // `-` ends the primary subtag; `_` too, as some clients write en_US
    if (c === 45 || c === 95) {
      end = i
      break
    }
  }
  const primary = range.slice(0, end).toLowerCase()
  return LANGUAGE.test(primary) ? primary : undefined
}

const Q_PARAM = /^\s*q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*$/i

/** the q-value among the parameters between `from` and `to`: 1 without one, 0 when malformed */
function qValue (header: string, from: number, to: number): number {
  for (const parameter of header.slice(from, to).split(';')) {
    if (!/^\s*q\s*=/i.test(parameter)) continue
    const match = Q_PARAM.exec(parameter)
    return match === null ? 0 : Number(match[1])
  }
  return 1
}
