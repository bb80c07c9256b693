import t from 'tap'
import fc from 'fast-check'
import { MAX_NOTE_LENGTH, outcomeWrite } from '../../src/outcomes/report-outcome.js'
import { CARD_NUMBER_PLACEHOLDER } from '../../src/security/scrub-card-numbers.js'
import { RENDERING_SEPARATORS, asciiDigits, cardInText } from './card-number-arbitraries.js'

t.test('an outcome note is scrubbed of card numbers, then cut', async (t) => {
  const note = outcomeWrite({ label: 'chargeback', source: 'api', note: 'disputed, card 4111 1111 1111 1111 12/27' }).outcome.note
  t.equal(note, `disputed, card ${CARD_NUMBER_PLACEHOLDER} 12/27`)
  // a card number across the cut: cutting first would keep its first digits, out of the scrubber's sight
  const long = outcomeWrite({ label: 'fraud', source: 'api', note: `${'x'.repeat(MAX_NOTE_LENGTH - 10)} 4111111111111111` }).outcome.note ?? ''
  t.ok(long.length <= MAX_NOTE_LENGTH)
  t.notMatch(long, /4111/)
})

t.test('property: no card number survives in an outcome note', async (t) => {
  fc.assert(fc.property(cardInText, fc.integer({ min: 0, max: MAX_NOTE_LENGTH }), ({ card, rendering, text }, padding) => {
    const note = outcomeWrite({ label: 'fraud', source: 'omise', note: `${'n'.repeat(padding)}${text}` }).outcome.note ?? ''
    const squeezed = asciiDigits(note).replace(RENDERING_SEPARATORS, '')
    return !note.includes(rendering.text) && !squeezed.includes(card.digits) && !squeezed.includes(card.digits.slice(0, 10))
  }), { numRuns: 5_000 })
})
