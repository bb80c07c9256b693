/**
 * Finds regular expressions (`matches("...")`) whose backtracking can blow up exponentially on a
 * hostile input: a rule is evaluated on every charge, and a JavaScript regex that backtracks
 * catastrophically blocks the whole process. Two shapes are reported:
 *
 * - nested quantifiers: an unbounded repetition inside another one, where the text between them can
 *   be empty or made of the same characters (`(a+)+`, `(\w+\s?)*`, `(.*,)+`), so one input splits
 *   in exponentially many ways;
 * - overlapping alternatives under a quantifier: two branches that match the same character
 *   (`(a|a)*`, `(\d|\w)+`, `(.|x)*`).
 *
 * The pattern is parsed into a small tree of character sets; characters are approximated as ASCII
 * plus "any non-ASCII character".
 */
export interface RegexRisk {
  kind: 'nested_quantifier' | 'overlapping_alternation'
  /** offset in the pattern of the outer quantified group */
  index: number
  message: string
}

export type RegexCheck =
  | { ok: true }
  | { ok: false, invalid: string }
  | { ok: false, risk: RegexRisk }

class CharSet {
  readonly ascii: boolean[]
  nonAscii: boolean
  constructor (ascii: boolean[] = new Array<boolean>(128).fill(false), nonAscii = false) {
    this.ascii = ascii
    this.nonAscii = nonAscii
  }

  static of (test: (code: number) => boolean, nonAscii: boolean): CharSet {
    return new CharSet(Array.from({ length: 128 }, (_, i) => test(i)), nonAscii)
  }

  static char (code: number): CharSet {
    const set = new CharSet()
    if (code < 128) set.ascii[code] = true
    else set.nonAscii = true
    return set
  }

  add (other: CharSet): this {
    for (let i = 0; i < 128; i++) if (other.ascii[i] === true) this.ascii[i] = true
    this.nonAscii ||= other.nonAscii
    return this
  }

  negate (): CharSet {
    return new CharSet(this.ascii.map((b) => !b), true)
  }

  intersects (other: CharSet): boolean {
    if (this.nonAscii && other.nonAscii) return true
    for (let i = 0; i < 128; i++) if (this.ascii[i] === true && other.ascii[i] === true) return true
    return false
  }

  isEmpty (): boolean {
    return !this.nonAscii && !this.ascii.includes(true)
  }
}

type Node =
  | { t: 'chars', set: CharSet }
  | { t: 'seq', items: Node[] }
  | { t: 'alt', options: Node[], at: number }
  | { t: 'repeat', body: Node, min: number, max: number, at: number, end: number }
  | { t: 'assert', body?: Node }

const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isWord = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)
const DIGIT = CharSet.of(isDigit, false)
const WORD = CharSet.of(isWord, false)
const SPACE = CharSet.of(isSpace, true)
const DOT = CharSet.of((c) => c !== 10 && c !== 13, true)

class Parser {
  readonly src: string
  pos = 0
  constructor (src: string) {
    this.src = src
  }

  parse (): Node {
    const node = this.alternation()
    return node
  }

  alternation (): Node {
    const at = this.pos
    const options = [this.sequence()]
    while (this.src[this.pos] === '|') {
      this.pos++
      options.push(this.sequence())
    }
    return options.length === 1 ? options[0] as Node : { t: 'alt', options, at }
  }

  sequence (): Node {
    const items: Node[] = []
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const at = this.pos
      const atom = this.atom()
      items.push(this.quantified(atom, at))
    }
    return items.length === 1 ? items[0] as Node : { t: 'seq', items }
  }

  quantified (atom: Node, at: number): Node {
    const c = this.src[this.pos]
    let min: number
    let max: number
    if (c === '*') { min = 0; max = Infinity; this.pos++ } else if (c === '+') { min = 1; max = Infinity; this.pos++ } else if (c === '?') { min = 0; max = 1; this.pos++ } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos))
      if (m === null) return atom
      min = Number(m[1])
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3])
      this.pos += m[0].length
    } else {
      return atom
    }
    if (this.src[this.pos] === '?') this.pos++ // lazy: backtracks the same way
    return { t: 'repeat', body: atom, min, max, at, end: this.pos }
  }

  atom (): Node {
    const c = this.src[this.pos] as string
    this.pos++
    switch (c) {
      case '.': return { t: 'chars', set: DOT }
      case '^': case '$': return { t: 'assert' }
      case '(': {
        let look = false
        if (this.src.startsWith('?:', this.pos)) this.pos += 2
        else if (this.src.startsWith('?=', this.pos) || this.src.startsWith('?!', this.pos)) { this.pos += 2; look = true } else if (this.src.startsWith('?<=', this.pos) || this.src.startsWith('?<!', this.pos)) { this.pos += 3; look = true } else if (this.src.startsWith('?<', this.pos)) {
          const close = this.src.indexOf('>', this.pos)
          this.pos = close < 0 ? this.pos : close + 1
        }
        const body = this.alternation()
        if (this.src[this.pos] === ')') this.pos++
        return look ? { t: 'assert', body } : body
      }
      case '[': return { t: 'chars', set: this.charClass() }
      case '\\': return this.escape(false)
      default: return { t: 'chars', set: CharSet.char(c.charCodeAt(0)) }
    }
  }

  /** after `\`; inside a class, `\b` is a backspace */
  escape (inClass: boolean): Node {
    const c = this.src[this.pos] ?? '\\'
    this.pos++
    switch (c) {
      case 'd': return { t: 'chars', set: DIGIT }
      case 'D': return { t: 'chars', set: DIGIT.negate() }
      case 'w': return { t: 'chars', set: WORD }
      case 'W': return { t: 'chars', set: WORD.negate() }
      case 's': return { t: 'chars', set: SPACE }
      case 'S': return { t: 'chars', set: CharSet.of((i) => !isSpace(i), true) }
      case 'b': return inClass ? { t: 'chars', set: CharSet.char(8) } : { t: 'assert' }
      case 'B': return { t: 'assert' }
      case 'n': return { t: 'chars', set: CharSet.char(10) }
      case 'r': return { t: 'chars', set: CharSet.char(13) }
      case 't': return { t: 'chars', set: CharSet.char(9) }
      case 'f': return { t: 'chars', set: CharSet.char(12) }
      case 'v': return { t: 'chars', set: CharSet.char(11) }
      case 'x': case 'u': {
        const m = (c === 'x' ? /^[0-9a-fA-F]{2}/ : /^[0-9a-fA-F]{4}/).exec(this.src.slice(this.pos))
        if (m === null) return { t: 'chars', set: CharSet.char(c.charCodeAt(0)) }
        this.pos += m[0].length
        return { t: 'chars', set: CharSet.char(parseInt(m[0], 16)) }
      }
      case 'c': {
        const letter = this.src.charCodeAt(this.pos)
        this.pos++
        return { t: 'chars', set: CharSet.char(letter % 32) }
      }
      default:
        // a back-reference matches text captured earlier: treated as matching nothing new
        if (!inClass && c >= '1' && c <= '9') {
          while (isDigit(this.src.charCodeAt(this.pos))) this.pos++
          return { t: 'assert' }
        }
        if (!inClass && c === 'k' && this.src[this.pos] === '<') {
          const close = this.src.indexOf('>', this.pos)
          this.pos = close < 0 ? this.pos : close + 1
          return { t: 'assert' }
        }
        return { t: 'chars', set: CharSet.char(c.charCodeAt(0)) }
    }
  }

  charClass (): CharSet {
    const negated = this.src[this.pos] === '^'
    if (negated) this.pos++
    const set = new CharSet()
    while (this.pos < this.src.length && this.src[this.pos] !== ']') {
      const lo = this.classAtom()
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length && lo.code !== undefined) {
        this.pos++
        const hi = this.classAtom()
        if (hi.code !== undefined) {
          for (let i = lo.code; i <= Math.min(hi.code, 127); i++) set.ascii[i] = true
          if (hi.code > 127) set.nonAscii = true
          continue
        }
        set.add(lo.set).add(CharSet.char(45)).add(hi.set)
        continue
      }
      set.add(lo.set)
    }
    if (this.src[this.pos] === ']') this.pos++
    return negated ? set.negate() : set
  }

  classAtom (): { set: CharSet, code?: number } {
    const c = this.src[this.pos] as string
    this.pos++
    if (c !== '\\') return { set: CharSet.char(c.charCodeAt(0)), code: c.charCodeAt(0) }
    const node = this.escape(true)
    const set = node.t === 'chars' ? node.set : new CharSet()
    const codes = set.ascii.flatMap((b, i) => (b ? [i] : []))
    return codes.length === 1 && !set.nonAscii ? { set, code: codes[0] as number } : { set }
  }
}

function nullable (node: Node): boolean {
  switch (node.t) {
    case 'chars': return false
    case 'seq': return node.items.every(nullable)
    case 'alt': return node.options.some(nullable)
    case 'repeat': return node.min === 0 || nullable(node.body)
    case 'assert': return true
  }
}

/** every character the node can consume, anywhere */
function charsOf (node: Node, skip?: Node): CharSet {
  const out = new CharSet()
  const walk = (n: Node): void => {
    if (n === skip) return
    // a lookaround consumes nothing; x{0} matches nothing
    if (n.t === 'chars') out.add(n.set)
    else if (n.t !== 'assert' && !(n.t === 'repeat' && n.max === 0)) children(n).forEach(walk)
  }
  walk(node)
  return out
}

/** can the node match the empty string once `skip` is taken to match the empty string? */
function nullableWithout (node: Node, skip: Node): boolean {
  if (node === skip) return true
  switch (node.t) {
    case 'chars': return false
    case 'seq': return node.items.every((n) => nullableWithout(n, skip))
    case 'alt': return node.options.some((n) => nullableWithout(n, skip))
    case 'repeat': return node.min === 0 || nullableWithout(node.body, skip)
    case 'assert': return true
  }
}

/** the characters the node matches as a whole one-character string */
function singleChars (node: Node): CharSet {
  switch (node.t) {
    case 'chars': return node.set
    case 'alt': return node.options.reduce((acc, n) => acc.add(singleChars(n)), new CharSet())
    case 'repeat': return node.max >= 1 && (node.min <= 1 || nullable(node.body)) ? singleChars(node.body) : new CharSet()
    case 'assert': return new CharSet()
    case 'seq': {
      const out = new CharSet()
      node.items.forEach((item, i) => {
        if (node.items.every((other, j) => j === i || nullable(other))) out.add(singleChars(item))
      })
      return out
    }
  }
}

/** the character sets of a fixed-length node, position by position (`g.ft` -> g, any, f, t) */
function fixedSequence (node: Node): CharSet[] | undefined {
  switch (node.t) {
    case 'chars': return [node.set]
    case 'assert': return []
    case 'alt': return undefined
    case 'seq': {
      const out: CharSet[] = []
      for (const item of node.items) {
        const part = fixedSequence(item)
        if (part === undefined) return undefined
        out.push(...part)
      }
      return out
    }
    case 'repeat': {
      if (node.min !== node.max || node.min > 16) return undefined
      const part = fixedSequence(node.body)
      return part === undefined ? undefined : Array.from({ length: node.min }, () => part).flat()
    }
  }
}

/** can two alternatives match the same text? (same single character, or same fixed-length text) */
function overlapping (a: Node, b: Node): boolean {
  if (sameText(a, b) || singleChars(a).intersects(singleChars(b))) return true
  const x = fixedSequence(a)
  const y = fixedSequence(b)
  return x !== undefined && y !== undefined && x.length > 0 && x.length === y.length && x.every((set, i) => set.intersects(y[i] as CharSet))
}

const LOOP_LIMIT = 10

function isLoop (node: Node): node is Extract<Node, { t: 'repeat' }> {
  return node.t === 'repeat' && node.max >= LOOP_LIMIT && !charsOf(node.body).isEmpty()
}

function children (node: Node): Node[] {
  switch (node.t) {
    case 'seq': return node.items
    case 'alt': return node.options
    case 'repeat': return [node.body]
    case 'assert': return node.body === undefined ? [] : [node.body]
    case 'chars': return []
  }
}

function inner (node: Node, pick: (n: Node) => boolean, stopAtLoops: boolean): Node[] {
  const out: Node[] = []
  const walk = (n: Node): void => {
    for (const child of children(n)) {
      if (pick(child)) out.push(child)
      if (stopAtLoops && isLoop(child)) continue
      walk(child)
    }
  }
  walk(node)
  return out
}

function sameText (a: Node, b: Node): boolean {
  return JSON.stringify(a, (_k, v: unknown) => (v instanceof CharSet ? [v.ascii.map(Number).join(''), v.nonAscii] : v)) ===
    JSON.stringify(b, (_k, v: unknown) => (v instanceof CharSet ? [v.ascii.map(Number).join(''), v.nonAscii] : v))
}

function findRisk (root: Node, pattern: string): RegexRisk | undefined {
  const loops = [root, ...inner(root, () => true, false)].filter(isLoop)
  for (const loop of loops) {
    for (const nested of [loop.body, ...inner(loop.body, isLoop, false)].filter(isLoop)) {
      const rest = charsOf(loop.body, nested)
      if (nullableWithout(loop.body, nested) || rest.intersects(charsOf(nested.body))) {
        return {
          kind: 'nested_quantifier',
          index: loop.at,
          message: `nested quantifiers: "${pattern.slice(nested.at, nested.end)}" repeats inside the repeated "${pattern.slice(loop.at, loop.end)}", so a long input that does not match is tried in exponentially many ways`
        }
      }
    }
    for (const alt of [loop.body, ...inner(loop.body, () => true, true)].filter((n) => n.t === 'alt')) {
      const options = alt.options
      for (let i = 0; i < options.length; i++) {
        for (let j = i + 1; j < options.length; j++) {
          const a = options[i] as Node
          const b = options[j] as Node
          if (overlapping(a, b)) {
            return {
              kind: 'overlapping_alternation',
              index: loop.at,
              message: `overlapping alternatives under a quantifier: in "${pattern.slice(loop.at, loop.end)}" two branches match the same text, so a long input that does not match is tried in exponentially many ways`
            }
          }
        }
      }
    }
  }
  return undefined
}

/** Checks a regular expression as cel-js runs it (`new RegExp(pattern)`). */
export function checkRegex (pattern: string): RegexCheck {
  try {
    // eslint-disable-next-line no-new
    new RegExp(pattern)
  } catch (error) {
    return { ok: false, invalid: error instanceof Error ? error.message : String(error) }
  }
  const risk = findRisk(new Parser(pattern).parse(), pattern)
  return risk === undefined ? { ok: true } : { ok: false, risk }
}
