import Bowser from 'bowser'
import { isbot } from 'isbot'
import { GenerationCache } from '../../util/generation-cache.js'

/**
 * What a User-Agent header says about the shopper's device. An absent field is unknown (a user
 * agent no parser recognizes has no browser, no OS, no form factor).
 */
export interface ParsedUserAgent {
  /** the browser's name as bowser gives it: Chrome, Safari, Firefox, Microsoft Edge, Samsung Internet for Android... */
  browser?: string
  /** the operating system's name as bowser gives it: Windows, macOS, iOS, Android, Linux, Chrome OS... */
  os?: string
  /** a phone or a tablet */
  is_mobile?: boolean
  /** a crawler, a headless or automated browser, or an HTTP library rather than a person's browser */
  is_bot: boolean
}

/**
 * Automation that isbot's list (crawlers, HTTP libraries, HeadlessChrome, PhantomJS, Selenium,
 * Playwright, webdriver...) leaves out, or that must stay caught whatever that list becomes:
 * headless browsers and browser automation frameworks announce themselves with these words.
 */
const AUTOMATION = /headless|phantomjs|slimerjs|puppeteer|playwright|selenium|webdriver|nightmare|jsdom|zombie\.js|casperjs|htmlunit|cypress|\(dart:io\)/i

/** Parses one user agent: bowser for browser, OS and form factor, isbot and AUTOMATION for bots. */
export function parseUserAgent (userAgent: string): ParsedUserAgent {
  const out: ParsedUserAgent = { is_bot: isbot(userAgent) || AUTOMATION.test(userAgent) }
  const parser = Bowser.getParser(userAgent, true)
  const browser = parser.parseBrowser().name
  if (browser !== undefined && browser !== '') out.browser = browser
  const os = parser.parseOS().name
  if (os !== undefined && os !== '') out.os = os
  const platform = parser.parsePlatform().type
  if (platform === 'mobile' || platform === 'tablet') out.is_mobile = true
  else if (platform === 'desktop' || platform === 'tv' || platform === 'bot') out.is_mobile = false
  return out
}

/** distinct user agents kept parsed: a generation of this many, two at most (a few hundred KB) */
export const USER_AGENTS_CACHED = 1_000

/**
 * parseUserAgent with a bounded cache by the user agent as sent: the same few hundred browser
 * builds make most of the traffic, so most charges skip parsing (tens of microseconds) for a map
 * lookup. Results are frozen: every charge with that user agent shares one.
 */
export function createUserAgentParser (cached: number = USER_AGENTS_CACHED): (userAgent: string) => Readonly<ParsedUserAgent> {
  const cache = new GenerationCache<string, Readonly<ParsedUserAgent>>(cached)
  return (userAgent) => {
    const known = cache.get(userAgent)
    if (known !== undefined) return known
    const parsed = Object.freeze(parseUserAgent(userAgent))
    cache.set(userAgent, parsed)
    return parsed
  }
}
