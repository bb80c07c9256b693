import type { DeviceSignals } from '../../schemas/signals.js'
import { GenerationCache } from '../../util/generation-cache.js'
import { preferredLanguage } from './accept-language.js'
import { createUserAgentParser, USER_AGENTS_CACHED } from './user-agent.js'

/** The device signals of one charge, from its user_agent and accept_language (as normalizeCharge left them). */
export type DeviceSignalsOf = (userAgent: string | undefined, acceptLanguage: string | undefined) => DeviceSignals | undefined

/** distinct Accept-Language headers kept with their language (a generation of this many, two at most) */
export const LANGUAGES_CACHED = 1_000

// a cached "no language in this header" (the cache holds no undefined)
const NO_LANGUAGE = ''

/**
 * Device signals: the user agent as sent, the browser, OS and form factor bowser finds in it,
 * whether it is a bot or automation (isbot, plus headless and automation markers), the
 * Accept-Language header as sent and its preferred language. Undefined when the charge has
 * neither header; a header that is empty (or blank) is not sent. Parsed user agents and languages
 * are cached (bounded): the same values repeat over most charges.
 */
export function createDeviceSignals (options: { userAgents?: number, languages?: number } = {}): DeviceSignalsOf {
  const parse = createUserAgentParser(options.userAgents ?? USER_AGENTS_CACHED)
  const languages = new GenerationCache<string, string>(options.languages ?? LANGUAGES_CACHED)
  const languageOf = (header: string): string | undefined => {
    let language = languages.get(header)
    if (language === undefined) {
      language = preferredLanguage(header) ?? NO_LANGUAGE
      languages.set(header, language)
    }
    return language === NO_LANGUAGE ? undefined : language
  }
  return (userAgent, acceptLanguage) => {
    const ua = userAgent === undefined || userAgent.trim() === '' ? undefined : userAgent
    const al = acceptLanguage === undefined || acceptLanguage.trim() === '' ? undefined : acceptLanguage
    if (ua === undefined && al === undefined) return undefined
    const device: DeviceSignals = {}
    if (ua !== undefined) {
      const parsed = parse(ua)
      device.user_agent = ua
      if (parsed.browser !== undefined) device.browser = parsed.browser
      if (parsed.os !== undefined) device.os = parsed.os
      if (parsed.is_mobile !== undefined) device.is_mobile = parsed.is_mobile
      device.is_bot = parsed.is_bot
    }
    if (al !== undefined) {
      device.accept_language = al
      const language = languageOf(al)
      if (language !== undefined) device.language = language
    }
    return device
  }
}
