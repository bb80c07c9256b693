import t from 'tap'
import fc from 'fast-check'
import { pack, PackedTextError, unpack, unpackHead } from '../../src/decision-log/packed-text.js'
import type { PackedValue } from '../../src/decision-log/packed-text.js'

const REFUSED = { name: 'PackedTextError', constructor: PackedTextError }

// JSON values whose strings hold any UTF-16 code units (lone surrogates too), integers of every
// size and numbers of every kind (NaN, infinities and -0 among them)
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  // any code units (lone surrogates among them), around the lengths where the tag changes
  fc.string({ unit: codeUnit, minLength: 28, maxLength: 36 }),
  fc.string({ unit: codeUnit, minLength: 60, maxLength: 68 }),
  fc.string({ unit: codeUnit, minLength: 124, maxLength: 132 })
)
const number = fc.oneof(fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), fc.integer({ min: -200, max: 200 }), fc.double(), fc.constantFrom(128 ** 7 - 1, 128 ** 7, -(128 ** 7) + 1, -(128 ** 7), 63, 64, 127, 128))
const { value } = fc.letrec<{ value: PackedValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), number, text,
    fc.array(tie('value'), { maxLength: 20 }), fc.array(fc.constant(1), { minLength: 14, maxLength: 17 }), fc.array(fc.constant(1), { minLength: 126, maxLength: 130 }),
    fc.dictionary(fc.oneof(text, fc.constant('__proto__')), tie('value'), { maxKeys: 20 })
  )
}))

t.test('a packed value reads back as JSON would keep it', async (t) => {
  fc.assert(fc.property(value, (v) => {
    const packed = pack(v)
    t.equal(JSON.stringify(unpack(packed)), JSON.stringify(v), 'round trip', { diagnostic: false })
  }), { numRuns: 2000 })
})

t.test('a packed text goes through UTF-8 unchanged (as Redis and files keep it)', async (t) => {
  fc.assert(fc.property(value, (v) => {
    const packed = pack(v)
    t.equal(Buffer.from(packed, 'utf8').toString('utf8'), packed, 'through UTF-8', { diagnostic: false })
  }), { numRuns: 1000 })
})

t.test('what JSON does not keep: undefined, numbers that are not finite, -0', async (t) => {
  const values = [1, undefined, Number.NaN, Number.POSITIVE_INFINITY, -0, { a: undefined, b: 2 }] as unknown as PackedValue
  t.same(unpack(pack(values)), [1, null, null, null, 0, { b: 2 }])
  t.equal(unpack(pack(undefined)), null)
  const proto = unpack(pack(JSON.parse('{"__proto__": {"polluted": 1}}') as PackedValue)) as Record<string, unknown>
  t.same(Object.keys(proto), ['__proto__'], 'a member named __proto__ is the object\'s own')
  t.equal(Object.getPrototypeOf(proto), Object.prototype)
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})

t.test('every proper prefix of a packed text is refused, as is anything after its value', async (t) => {
  fc.assert(fc.property(value, fc.nat(), (v, cut) => {
    const packed = pack(v)
    const at = cut % packed.length
    t.throws(() => unpack(packed.slice(0, at)), REFUSED, 'cut short', { diagnostic: false })
    t.throws(() => unpack(packed + packed), REFUSED, 'more after the value', { diagnostic: false })
  }), { numRuns: 1000 })
})

t.test('what is not a packed text is refused with PackedTextError', async (t) => {
  for (const bad of ['', '\u0080', '\u007a\u0041', '\u007d\u0041', '\u007e\u0001\u0001\u0001', '\u0073\u0080', '\u0062\u0001']) {
    t.throws(() => unpack(bad), REFUSED, JSON.stringify(bad))
  }
})

t.test('the head of an array reads its first values only', async (t) => {
  fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 30 }), fc.nat(), (values, n) => {
    const count = n % (values.length + 1)
    const packed = pack(values)
    t.equal(JSON.stringify(unpackHead(packed, count)), JSON.stringify(values.slice(0, count)), 'head', { diagnostic: false })
    // the rest may be anything: it is not read
    const cut = pack(values.slice(0, count)).length
    if (values.length <= 15) t.equal(JSON.stringify(unpackHead(packed.slice(0, cut), count)), JSON.stringify(values.slice(0, count)), 'the rest unread', { diagnostic: false })
  }), { numRuns: 500 })
  t.throws(() => unpackHead(pack([1, 2]), 3), REFUSED, 'a shorter array')
  t.throws(() => unpackHead(pack('a'), 0), REFUSED, 'not an array')
})

t.test('integers take one character under 64, then one a 7 bits', async (t) => {
  t.equal(pack(0).length, 1)
  t.equal(pack(63).length, 1)
  t.equal(pack(64).length, 2)
  t.equal(pack(127).length, 2)
  t.equal(pack(128).length, 3)
  t.equal(pack(1796633629651).length, 7, 'a time in ms')
  t.equal(pack(-5).length, 2)
  t.equal(pack('abc'), '\u0043abc')
  t.equal(pack([]), '\u0060')
})
