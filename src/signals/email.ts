import { disposableEmailBlocklistSet } from 'disposable-email-domains-js'
import type { EmailSignals } from '../schemas/signals.js'

/** Disposable-address domains (disposable-email-domains-js, CC0), loaded once. */
export interface DisposableDomains {
  has: (domain: string) => boolean
  size: number
}

export function loadDisposableDomains (): DisposableDomains {
  const set = disposableEmailBlocklistSet()
  return {
    size: set.size,
    // a subdomain of a disposable domain (x.mailinator.com) is disposable too
    has (domain: string): boolean {
      let d = domain
      for (;;) {
        if (set.has(d)) return true
        const dot = d.indexOf('.')
        if (dot < 0 || d.indexOf('.', dot + 1) < 0) return false
        d = d.slice(dot + 1)
      }
    }
  }
}

/** An email address as riskgate keys and hashes it: trimmed, lower case. */
export function normalizeEmailAddress (email: string): string {
  return email.trim().toLowerCase()
}

/**
 * Email signals: the address lower-cased and trimmed, its domain, and whether the domain is a
 * disposable-address provider. Undefined when the address has no usable `local@domain` form.
 */
export function emailSignals (email: string, disposable: DisposableDomains): EmailSignals | undefined {
  const address = normalizeEmailAddress(email)
  const at = address.lastIndexOf('@')
  if (at <= 0 || at === address.length - 1) return undefined
  const domain = address.slice(at + 1).replace(/\.$/, '')
  if (!/^[a-z0-9.-]+\.[a-z0-9-]+$/.test(domain) && !/^xn--/.test(domain)) return { address, domain }
  return { address, domain, is_disposable: disposable.has(domain) }
}
