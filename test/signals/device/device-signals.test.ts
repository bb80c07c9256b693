import t from 'tap'
import { createDeviceSignals } from '../../../src/signals/device/device-signals.js'

const HEADLESS = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36'
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1'

t.test('device signals from the two headers, each unknown when not sent', async (t) => {
  const device = createDeviceSignals()
  const cases: Array<[string, string | undefined, string | undefined, unknown]> = [
    ['neither header: no device at all', undefined, undefined, undefined],
    ['blank headers are not sent', '  ', '', undefined],
    ['a phone with its language', IPHONE, 'id-ID,id;q=0.9,en;q=0.8', {
      user_agent: IPHONE, browser: 'Safari', os: 'iOS', is_mobile: true, is_bot: false, accept_language: 'id-ID,id;q=0.9,en;q=0.8', language: 'id'
    }],
    ['a headless browser without a language', HEADLESS, undefined, {
      user_agent: HEADLESS, browser: 'Chrome', os: 'Linux', is_mobile: false, is_bot: true
    }],
    ['a language alone', undefined, 'th-TH,th;q=0.9', { accept_language: 'th-TH,th;q=0.9', language: 'th' }],
    ['a header with no language in it: the header, no language', undefined, '*', { accept_language: '*' }],
    ['curl: a bot, nothing else known', 'curl/8.5.0', undefined, { user_agent: 'curl/8.5.0', is_bot: true }]
  ]
  for (const [name, userAgent, acceptLanguage, expected] of cases) t.same(device(userAgent, acceptLanguage), expected, name)
})

t.test('every charge gets its own device object; cached answers do not leak between them', async (t) => {
  const device = createDeviceSignals({ userAgents: 1, languages: 1 })
  const a = device(IPHONE, 'id')
  const b = device(IPHONE, 'id')
  t.not(a, b)
  t.same(a, b)
  for (let i = 0; i < 5; i++) t.same(device(`${IPHONE} n${i}`, `en;q=0.${i + 1}, th`), { user_agent: `${IPHONE} n${i}`, browser: 'Safari', os: 'iOS', is_mobile: true, is_bot: false, accept_language: `en;q=0.${i + 1}, th`, language: 'th' })
  t.same(device('curl/8.5.0', '*'), { user_agent: 'curl/8.5.0', is_bot: true, accept_language: '*' }, 'a cached "no language" stays no language')
  t.same(device('curl/8.5.0', '*'), { user_agent: 'curl/8.5.0', is_bot: true, accept_language: '*' })
})
