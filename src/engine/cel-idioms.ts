/**
 * Conditions written the SQL, Python or JavaScript way, and what to write in CEL instead. Used when
 * a condition does not parse or type-check: the CEL parser alone would say "Expected RPAREN, got
 * COMMA" for `ip.country in ("NG", "GH")`, where the author needs to read "write in [...]".
 */

/** One foreign construct of a condition: where it is (offsets in the condition) and what to write. */
export interface ForeignSyntax {
  start: number
  end: number
  message: string
}

interface Token {
  kind: 'word' | 'number' | 'string' | 'punct'
  text: string
  start: number
  end: number
}

const PUNCTUATION = ['===', '!==', '==', '!=', '<=', '>=', '<>', '&&', '||']

/** the end of a string literal starting at `i` (after its prefix), CEL's quoting rules */
function stringEnd (text: string, i: number, raw: boolean): number {
  const quote = text[i] as string
  const triple = text.startsWith(quote.repeat(3), i)
  const close = triple ? quote.repeat(3) : quote
  let j = i + close.length
  while (j < text.length) {
    if (!raw && text[j] === '\\') {
      j += 2
      continue
    }
    if (text.startsWith(close, j)) return j + close.length
    if (!triple && text[j] === '\n') return j
    j++
  }
  return text.length
}

/** The tokens of a condition, string literals and `//` comments skipped over as wholes. */
function tokenize (text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i)
      i = end < 0 ? text.length : end
      continue
    }
    const prefix = /^[rRbB]{1,2}(?=["'])/.exec(text.slice(i, i + 3))?.[0] ?? ''
    if (c === '"' || c === '\'' || prefix !== '') {
      const end = stringEnd(text, i + prefix.length, /r/i.test(prefix))
      tokens.push({ kind: 'string', text: text.slice(i, end), start: i, end })
      i = end
      continue
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))?.[0]
    if (word !== undefined) {
      tokens.push({ kind: 'word', text: word, start: i, end: i + word.length })
      i += word.length
      continue
    }
    const number = /^\d[\d.]*(?:[eE][+-]?\d+)?[uU]?/.exec(text.slice(i))?.[0]
    if (number !== undefined) {
      tokens.push({ kind: 'number', text: number, start: i, end: i + number.length })
      i += number.length
      continue
    }
    const op = PUNCTUATION.find((p) => text.startsWith(p, i)) ?? c
    tokens.push({ kind: 'punct', text: op, start: i, end: i + op.length })
    i += op.length
  }
  return tokens
}

/** the index of the `)` closing the `(` at `open`, or -1 */
function closingParen (tokens: readonly Token[], open: number): number {
  let depth = 0
  for (let k = open; k < tokens.length; k++) {
    const t = (tokens[k] as Token).text
    if (t === '(' || t === '[' || t === '{') depth++
    else if (t === ')' || t === ']' || t === '}') {
      depth--
      if (depth === 0) return t === ')' ? k : -1
    }
  }
  return -1
}

/** `in ("NG", "GH")` or `in ("NG")`: a parenthesized tuple of literals (not `in (lists.x)`) */
function tupleAfterIn (tokens: readonly Token[], k: number, text: string): ForeignSyntax | undefined {
  const open = k + 1
  if (tokens[open]?.text !== '(') return undefined
  const close = closingParen(tokens, open)
  if (close < 0) return undefined
  const inner = tokens.slice(open + 1, close)
  const literals = inner.length > 0 && inner.every((t) => t.kind === 'string' || t.kind === 'number' || t.text === ',' || t.text === '-')
  if (!literals) return undefined
  const first = tokens[open] as Token
  const last = tokens[close] as Token
  const items = text.slice(first.end, last.start).trim().replace(/,\s*$/, '')
  return {
    start: first.start,
    end: last.end,
    message: `a list is written in square brackets in CEL: write in [${items}] instead of in (${items})`
  }
}

const WORD_OPERATORS: Readonly<Record<string, { write: string, name: string }>> = {
  and: { write: '&&', name: 'and' },
  or: { write: '||', name: 'or' },
  not: { write: '!', name: 'not' }
}

const PYTHON_CONSTANTS: Readonly<Record<string, string>> = { true: 'true', false: 'false', none: 'null', null: 'null' }

/**
 * The constructs of `text` that are not CEL but SQL, Python or JavaScript, each with its place and
 * what to write instead: `and`, `or`, `not` (&&, ||, !), `not in`, `=` and `===` (==), `<>` and
 * `!==` (!=), `&` and `|` (&&, ||), `in (...)` (in [...]), `is null` (has()), `True`, `False`,
 * `None` (true, false, null). Words after a `.` are field names, never operators.
 */
export function findForeignSyntax (text: string): ForeignSyntax[] {
  const tokens = tokenize(text)
  const found: ForeignSyntax[] = []
  const at = (t: Token, message: string, end = t.end): void => { found.push({ start: t.start, end, message }) }
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] as Token
    const previous = tokens[k - 1]
    const next = tokens[k + 1]
    if (t.kind === 'punct') {
      switch (t.text) {
        case '=': at(t, 'CEL compares with ==, not =: write == (ip.country == "TH")'); break
        case '===': at(t, 'CEL compares with ==: write == instead of ==='); break
        case '!==': at(t, 'CEL compares with !=: write != instead of !=='); break
        case '<>': at(t, 'CEL writes "not equal" as !=: write != instead of <>'); break
        case '&': at(t, 'CEL\'s "and" is &&: write && instead of &'); break
        case '|': at(t, 'CEL\'s "or" is ||: write || instead of |'); break
      }
      continue
    }
    if (t.kind !== 'word' || previous?.text === '.') continue
    const lower = t.text.toLowerCase()
    if (lower === 'not' && next?.kind === 'word' && next.text.toLowerCase() === 'in' && tokens[k + 2]?.text !== '.') {
      at(t, 'CEL has no "not in": write !(x in [...]), e.g. !(ip.country in ["TH", "SG"])', next.end)
      k++
      continue
    }
    const operator = WORD_OPERATORS[lower]
    if (operator !== undefined) {
      const quote = k === 0 && lower === 'not' ? ' (in YAML, quote a condition that starts with !: when: "!ip.is_tor")' : ''
      at(t, `CEL's "${operator.name}" is ${operator.write}: write ${operator.write} instead of ${t.text}${quote}`)
      continue
    }
    if (lower === 'is' && next?.kind === 'word' && ['null', 'none', 'not'].includes(next.text.toLowerCase())) {
      at(t, 'CEL has no "is null": test presence with has(), e.g. !has(card.country) or has(card.country)', next.end)
      continue
    }
    if (lower === 'in') {
      const tuple = tupleAfterIn(tokens, k, text)
      if (tuple !== undefined) found.push(tuple)
      continue
    }
    const constant = PYTHON_CONSTANTS[lower]
    if (constant !== undefined && t.text !== constant) at(t, `CEL writes ${constant} in lower case: write ${constant} instead of ${t.text}`)
  }
  return found
}
