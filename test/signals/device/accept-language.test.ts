import t from 'tap'
import { preferredLanguage } from '../../../src/signals/device/accept-language.js'

const CASES: Array<[header: string, expected: string | undefined]> = [
  ['id-ID,id;q=0.9,en;q=0.8', 'id'],
  ['en-US,en;q=0.9', 'en'],
  ['th-TH', 'th'],
  ['EN-us', 'en'],
  ['en_US', 'en'],
  ['zh-Hant-TW,zh;q=0.9', 'zh'],
  ['fil', 'fil'],
  // the highest q-value wins, not the first listed
  ['fr;q=0.5, en-GB', 'en'],
  ['de;q=0.3, ja;q=0.7, en;q=0.5', 'ja'],
  // equal q-values: the first
  ['vi;q=0.8, th;q=0.8', 'vi'],
  // q=0 means "not this one"; * is no language
  ['th;q=0, en;q=0.1', 'en'],
  ['*, ms;q=0.5', 'ms'],
  ['*', undefined],
  ['th;q=0', undefined],
  // spaces and parameters where clients put them
  ['  ko-KR ; q=0.9 ,  en ; q = 0.95 ', 'en'],
  ['en;level=1;q=0.4, de;q=0.3', 'en'],
  // malformed ranges and q-values are left out
  ['x-klingon, en', 'en'],
  ['123, es', 'es'],
  ['pt;q=2, es;q=0.1', 'es'],
  ['pt;q=abc, es;q=0.1', 'es'],
  ['', undefined],
  [',,,', undefined],
  ['toolonglanguage', undefined]
]

t.test('the first preferred language of an Accept-Language header', async (t) => {
  for (const [header, expected] of CASES) t.equal(preferredLanguage(header), expected, JSON.stringify(header))
})
