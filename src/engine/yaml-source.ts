import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml'
import type { Document, Node, YAMLMap, YAMLSeq } from 'yaml'
import { closestNames, orList } from './suggest.js'

/** One problem in a rule file, at its exact place. */
export interface SourceError {
  /** display name of the file, e.g. `rules/ruleset.yaml` */
  file: string
  /** 1-based */
  line: number
  /** 1-based */
  column: number
  /** the rule (or test case) the error is in, when it is in one */
  rule?: string
  message: string
}

/** `rules/ruleset.yaml:12:18 rule tor_exit: message` */
export function formatSourceError (error: SourceError, label = 'rule'): string {
  const where = `${error.file}:${error.line}:${error.column}`
  return error.rule === undefined ? `${where} ${error.message}` : `${where} ${label} ${error.rule}: ${error.message}`
}

export interface MapEntry {
  key: string
  keyNode: Node
  value: Node | null
}

/**
 * A parsed YAML file that knows where everything is: positions of nodes and of any character of
 * a scalar's value, whatever its style (plain, quoted, `|` or `>` block), so an error found inside
 * a CEL expression points at the right line and column of the file.
 */
export class YamlSource {
  readonly file: string
  readonly text: string
  readonly doc: Document.Parsed
  readonly errors: SourceError[] = []
  readonly #lines: LineCounter

  constructor (file: string, text: string) {
    this.file = file
    this.text = text
    this.#lines = new LineCounter()
    this.doc = parseDocument(text, { lineCounter: this.#lines, prettyErrors: false, uniqueKeys: true, strict: true })
    for (const error of this.doc.errors) {
      this.errorAt(error.pos[0], error.message.split('\n')[0] ?? error.message)
    }
  }

  get root (): Node | null {
    return this.doc.contents
  }

  position (offset: number): { line: number, column: number } {
    if (this.#lines.lineStarts.length === 0) return { line: 1, column: offset + 1 }
    const { line, col } = this.#lines.linePos(Math.max(0, Math.min(offset, this.text.length)))
    return { line: Math.max(line, 1), column: Math.max(col, 1) }
  }

  errorAt (offset: number, message: string, rule?: string): void {
    const error: SourceError = { file: this.file, ...this.position(offset), message }
    if (rule !== undefined) error.rule = rule
    this.errors.push(error)
  }

  /** Records an error at a node (or at the start of the file when there is none). */
  error (node: Node | null | undefined, message: string, rule?: string): void {
    this.errorAt(node?.range?.[0] ?? 0, message, rule)
  }

  /**
   * The file offset of character `index` of a scalar's parsed value. The parsed value is the
   * source minus quotes, escapes, indentation and folded line breaks, so the characters are
   * aligned greedily: each non-blank value character is the next identical source character.
   */
  scalarOffset (scalar: Scalar, index: number): number {
    const range = scalar.range
    if (range === null || range === undefined) return 0
    const value = typeof scalar.value === 'string' ? scalar.value : String(scalar.value)
    const end = range[1]
    let s = range[0]
    if (scalar.type === Scalar.BLOCK_FOLDED || scalar.type === Scalar.BLOCK_LITERAL) {
      const header = this.text.indexOf('\n', s)
      s = header < 0 || header > end ? end : header + 1
    } else if (scalar.type === Scalar.QUOTE_DOUBLE || scalar.type === Scalar.QUOTE_SINGLE) {
      s += 1
    }
    const target = Math.max(0, Math.min(index, value.length))
    for (let i = 0; i < target; i++) {
      const c = value[i] as string
      if (/\s/.test(c)) {
        if (s < end && /\s/.test(this.text[s] as string)) s++
        continue
      }
      let t = s
      while (t < end && this.text[t] !== c) t++
      if (t < end) s = t + 1
    }
    // land on the next value character itself
    const next = value[target]
    if (next !== undefined && !/\s/.test(next)) {
      let t = s
      while (t < end && this.text[t] !== next) t++
      if (t < end) s = t
    }
    return Math.min(s, this.text.length)
  }
}

export function isMapNode (node: Node | null | undefined): node is YAMLMap {
  return isMap(node)
}

export function isSeqNode (node: Node | null | undefined): node is YAMLSeq {
  return isSeq(node)
}

export function isScalarNode (node: Node | null | undefined): node is Scalar {
  return isScalar(node)
}

/** The entries of a map whose keys are plain strings (others are reported). */
export function mapEntries (source: YamlSource, map: YAMLMap, rule?: string): MapEntry[] {
  const entries: MapEntry[] = []
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
      source.error(keyNode ?? map, 'keys must be plain strings', rule)
      continue
    }
    entries.push({ key: keyNode.value, keyNode, value: pair.value as Node | null })
  }
  return entries
}

/** Reports keys outside `allowed` (typos like `scroe:` must not pass silently). */
export function checkKeys (source: YamlSource, entries: MapEntry[], allowed: readonly string[], where: string, rule?: string): void {
  for (const entry of entries) {
    if (!allowed.includes(entry.key)) {
      const close = closestNames(entry.key, allowed)
      const meant = close.length === 0 ? '' : `: did you mean ${orList(close)}?`
      source.error(entry.keyNode, `unknown key "${entry.key}" in ${where}${meant} (expected one of: ${allowed.join(', ')})`, rule)
    }
  }
}

export function entryOf (entries: MapEntry[], key: string): MapEntry | undefined {
  return entries.find((entry) => entry.key === key)
}
