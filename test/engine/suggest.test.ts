import t from 'tap'
import fc from 'fast-check'
import { closestNames, didYouMean, editDistance, orList } from '../../src/engine/suggest.js'

// [a, b, distance]: insertions, deletions, substitutions and adjacent swaps cost 1
const DISTANCES: Array<[string, string, number]> = [
  ['', '', 0],
  ['country', 'country', 0],
  ['countyr', 'country', 1], // a swap
  ['contry', 'country', 1], // a deletion
  ['countryy', 'country', 1], // an insertion
  ['cuontry', 'country', 1],
  ['county', 'country', 1],
  ['amout', 'amount', 1],
  ['is_torr', 'is_tor', 1],
  ['charges_per_ip_h1', 'charges_per_ip_1h', 1],
  ['abc', 'xyz', 3],
  ['', 'ip', 2],
  ['ca', 'abc', 3] // optimal string alignment: a swapped pair is not edited again
]

t.test('editDistance: Damerau-Levenshtein (optimal string alignment)', async (t) => {
  for (const [a, b, d] of DISTANCES) {
    t.equal(editDistance(a, b), d, `${a} / ${b}`)
    t.equal(editDistance(b, a), d, `${b} / ${a}`)
  }
  t.equal(editDistance('abcdef', 'uvwxyz', 2), 3, 'stops past max: max + 1')
})

t.test('editDistance is a distance: symmetric, zero only for equal strings, bounded by the longer length', async (t) => {
  const word = fc.string({ maxLength: 8, unit: fc.constantFrom('a', 'b', 'c', '_') })
  fc.assert(fc.property(word, word, (a, b) => {
    const d = editDistance(a, b)
    return d === editDistance(b, a) && (d === 0) === (a === b) && d <= Math.max(a.length, b.length) && d >= Math.abs(a.length - b.length)
  }), { seed: 7, numRuns: 500 })
})

// [name, known names, suggestions]
const CLOSEST: Array<[string, string[], string[]]> = [
  ['countyr', ['country', 'city', 'currency'], ['country']],
  ['Amount', ['amount', 'currency'], ['amount']],
  ['is_torr', ['is_tor', 'is_vpn', 'is_proxy'], ['is_tor']],
  ['xyzzy', ['amount', 'currency'], []],
  ['scroe', ['id', 'description', 'when', 'score', 'action', 'mode'], ['score']],
  ['ip', ['ip', 'id'], ['id']], // the name itself is never suggested
  ['cards_1h', ['cards_1d', 'cards_2h', 'charges_1h'], ['cards_1d', 'cards_2h']] // ties, all of them
]

t.test('closestNames: the nearest known names within a tolerance that grows with the name', async (t) => {
  for (const [name, known, expected] of CLOSEST) t.same(closestNames(name, known), expected, name)
})

t.test('orList and didYouMean', async (t) => {
  t.equal(orList([]), '')
  t.equal(orList(['a']), 'a')
  t.equal(orList(['a', 'b']), 'a or b')
  t.equal(orList(['a', 'b', 'c']), 'a, b or c')
  t.equal(didYouMean([]), '')
  t.equal(didYouMean(['ip.country']), ' (did you mean ip.country?)')
})
