import t from 'tap'
import { createUserAgentParser, parseUserAgent } from '../../../src/signals/device/user-agent.js'
import type { ParsedUserAgent } from '../../../src/signals/device/user-agent.js'

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

/** user agents as browsers, phones and automation send them, and what riskgate reads in them */
const CASES: Array<[name: string, userAgent: string, expected: ParsedUserAgent]> = [
  ['Chrome on Windows', CHROME_WINDOWS, { browser: 'Chrome', os: 'Windows', is_mobile: false, is_bot: false }],
  ['Safari on macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15', { browser: 'Safari', os: 'macOS', is_mobile: false, is_bot: false }],
  ['Firefox on Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', { browser: 'Firefox', os: 'Windows', is_mobile: false, is_bot: false }],
  ['Edge on Windows', `${CHROME_WINDOWS} Edg/131.0.0.0`, { browser: 'Microsoft Edge', os: 'Windows', is_mobile: false, is_bot: false }],
  ['Safari on an iPhone', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1', { browser: 'Safari', os: 'iOS', is_mobile: true, is_bot: false }],
  ['Safari on an iPad (a tablet is mobile)', 'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1', { browser: 'Safari', os: 'iOS', is_mobile: true, is_bot: false }],
  ['Chrome on an Android phone', 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', { browser: 'Chrome', os: 'Android', is_mobile: true, is_bot: false }],
  ['Samsung Internet', 'Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36', { browser: 'Samsung Internet for Android', os: 'Android', is_mobile: true, is_bot: false }],
  ['Chrome on a Chromebook', 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', { browser: 'Chrome', os: 'Chrome OS', is_mobile: false, is_bot: false }],
  // headless and automated browsers
  ['HeadlessChrome', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36', { browser: 'Chrome', os: 'Linux', is_mobile: false, is_bot: true }],
  ['PhantomJS', 'Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1', { browser: 'PhantomJS', os: 'Linux', is_mobile: false, is_bot: true }],
  ['a Puppeteer marker (not on isbot\'s list)', `${CHROME_WINDOWS} Puppeteer`, { browser: 'Chrome', os: 'Windows', is_mobile: false, is_bot: true }],
  ['a Playwright marker', `${CHROME_WINDOWS} Playwright/1.49`, { browser: 'Chrome', os: 'Windows', is_mobile: false, is_bot: true }],
  ['a Selenium marker', `${CHROME_WINDOWS} Selenium`, { browser: 'Chrome', os: 'Windows', is_mobile: false, is_bot: true }],
  ['Nightmare (Electron)', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Electron/2.0.0 Safari/537.36 Nightmare', { browser: 'Electron', os: 'Linux', is_mobile: false, is_bot: true }],
  ['jsdom', 'Mozilla/5.0 (linux) AppleWebKit/537.36 (KHTML, like Gecko) jsdom/22.1.0', { browser: 'Safari', os: 'Linux', is_mobile: false, is_bot: true }],
  ['SlimerJS', 'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0 SlimerJS/1.0', { browser: 'SlimerJS', os: 'Linux', is_mobile: false, is_bot: true }],
  // HTTP libraries and command-line clients
  ['curl', 'curl/8.5.0', { is_bot: true }],
  ['python-requests', 'python-requests/2.31.0', { is_bot: true }],
  ['Go-http-client', 'Go-http-client/1.1', { is_bot: true }],
  ['okhttp', 'okhttp/4.12.0', { is_bot: true }],
  ['axios', 'axios/1.6.0', { is_bot: true }],
  ['Java', 'Java/17.0.1', { is_bot: true }],
  ['Dart (not on isbot\'s list)', 'Dart/3.2 (dart:io)', { browser: 'Dart', is_bot: true }],
  // crawlers
  ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', { browser: 'Googlebot', is_mobile: false, is_bot: true }]
]

t.test('browser, OS, form factor and bots, user agent by user agent', async (t) => {
  for (const [name, userAgent, expected] of CASES) t.same(parseUserAgent(userAgent), expected, name)
})

t.test('an unknown user agent: a bot (isbot), nothing else known', async (t) => {
  t.same(parseUserAgent('x'), { is_bot: true })
  t.same(parseUserAgent('Mozilla/5.0'), { is_bot: true }, 'the bare prefix, as scripts send it')
})

t.test('the cached parser answers as the parser, shares one frozen result per user agent, and stays bounded', async (t) => {
  const parse = createUserAgentParser(2)
  const first = parse(CHROME_WINDOWS)
  t.same(first, parseUserAgent(CHROME_WINDOWS))
  t.ok(Object.isFrozen(first), 'frozen: shared by every charge with this user agent')
  t.equal(parse(CHROME_WINDOWS), first, 'the second time from the cache')
  for (const [, userAgent, expected] of CASES) t.same(parse(userAgent), expected)
  t.not(parse(CHROME_WINDOWS), first, 'pushed out by newer ones: parsed again')
  t.same(parse(CHROME_WINDOWS), first)
})
