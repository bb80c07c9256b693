/**
 * A list file (rules/lists/*.txt): one value a line, trimmed; blank lines and `#` comments are
 * ignored (a whole-line comment, or ` # note` after a value). Matching is exact: write emails
 * lower-case (riskgate lower-cases them) and country codes upper-case.
 */
export function parseListText (text: string): string[] {
  const values: string[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const comment = line.search(/\s#/)
    const value = (comment < 0 ? line : line.slice(0, comment)).trim()
    if (value !== '') values.push(value)
  }
  return values
}
