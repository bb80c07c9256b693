/**
 * The request corpus of the load benchmark: thousands of distinct, realistic charge contexts,
 * generated from a fixed seed. Shoppers' IPs are drawn from the bundled ASN data (IPv4 and a
 * share of IPv6, every country and AS it covers, a share in the hosting list's ASNs, a few
 * private ones), some of them written to a Tor exit list the server loads; emails at webmail,
 * company and disposable domains; cards of several BINs and countries; baskets with gift cards
 * now and then. Shoppers, cards and addresses recur with a skew, as in real traffic, so the
 * velocity counters climb and velocity rules fire. Every request gets a unique charge_id.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { ChargeContext } from '../src/schemas/charge.js'
import { seededRandom } from '../src/util/seeded-random.js'

interface AsnRange { start: bigint, end: bigint, asn: number }

function readRanges (file: string, limit: number, random: () => number, keep: (asn: number) => boolean): AsnRange[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  const out: AsnRange[] = []
  const wanted = new Set<number>()
  while (wanted.size < Math.min(limit, lines.length)) wanted.add(Math.floor(random() * lines.length))
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const first = line.indexOf(',')
    const second = line.indexOf(',', first + 1)
    const third = line.indexOf(',', second + 1)
    if (first < 0 || second < 0 || third < 0) continue
    const asn = Number(line.slice(second + 1, third))
    if (!wanted.has(i) && !keep(asn)) continue
    out.push({ start: BigInt(line.slice(0, first)), end: BigInt(line.slice(first + 1, second)), asn })
  }
  return out
}

function ipv4 (n: bigint): string {
  const v = Number(n)
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`
}

function ipv6 (n: bigint): string {
  const groups: string[] = []
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16))
  return groups.join(':')
}

function within (range: AsnRange, random: () => number): bigint {
  const span = range.end - range.start + 1n
  const offset = span > 1n ? BigInt(Math.floor(random() * Number(span > 2n ** 52n ? 2n ** 52n : span))) : 0n
  return range.start + offset
}

function hostingAsns (root: string): Set<number> {
  const out = new Set<number>()
  for (const line of readFileSync(path.join(root, 'data', 'hosting-asns.txt'), 'utf8').split('\n')) {
    const match = /^\s*(\d+)/.exec(line)
    if (match !== null) out.add(Number(match[1]))
  }
  return out
}

function withoutCountry<T extends { country: string }> (card: T): Omit<T, 'country'> {
  const { country: _unused, ...rest } = card
  return rest
}

/** a skewed pick: low indexes (popular entities) come up far more often */
function skewed (random: () => number, size: number): number {
  return Math.floor(size * random() ** 1.5)
}

function pick<T> (random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T
}

const WEBMAIL = ['gmail.com', 'hotmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'yahoo.co.th', 'hotmail.co.th']
const COMPANIES = ['siamtrade.co.th', 'example-retail.com', 'kasetfarm.co.th', 'acme-sg.com.sg', 'pixelworks.io']
const DISPOSABLE = ['mailinator.com', 'yopmail.com', 'guerrillamail.com', '10minutemail.com', 'trashmail.com']
const BINS = ['424242', '411111', '545454', '520000', '356600', '376400', '62270000', '45717360']
const COUNTRIES = ['TH', 'TH', 'TH', 'TH', 'SG', 'MY', 'US', 'GB', 'JP', 'ID', 'VN', 'PH', 'DE', 'AU']
const CITIES = ['Bangkok', 'Chiang Mai', 'Phuket', 'Singapore', 'Kuala Lumpur', 'London', 'Tokyo']
const CATEGORIES = ['shoes', 'apparel', 'electronics', 'beauty', 'home', 'gift_card', 'voucher', 'books']
const PRODUCTS = ['Running shoes', 'T-shirt', 'Earbuds', 'Face cream', 'Rice cooker', 'Gift card 500 THB', 'Top-up voucher', 'Novel']
const LANGUAGES = ['th-TH,th;q=0.9,en;q=0.8', 'en-US,en;q=0.9', 'en-GB,en;q=0.8', 'ja-JP,ja;q=0.9']
const AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
  'okhttp/4.12.0'
]

export interface Corpus {
  /** each body without its charge_id: `{"charge_id":"<id>",` + rest */
  rests: string[]
  /** the same charges as objects (charge_id left empty), for the in-process benchmark */
  charges: ChargeContext[]
  /** addresses to list as Tor exits */
  torExits: string[]
  stats: { bodies: number, ips: number, ipv6: number, hostingIps: number, torIps: number, privateIps: number, asns: number, emails: number, disposableEmails: number, cards: number }
}

export interface CorpusOptions {
  root: string
  bodies?: number
  seed?: number
}

/** Builds the corpus (about a second: it samples the ASN CSVs of @ip-location-db/asn). */
export function buildCorpus (options: CorpusOptions): Corpus {
  const random = seededRandom(options.seed ?? 20261122)
  const count = options.bodies ?? 10_000
  const require = createRequire(path.join(options.root, 'package.json'))
  const asnDir = path.dirname(require.resolve('@ip-location-db/asn/package.json'))
  const hosting = hostingAsns(options.root)
  const v4 = readRanges(path.join(asnDir, 'asn-ipv4-num.csv'), 6000, random, (asn) => hosting.has(asn))
  const v6 = readRanges(path.join(asnDir, 'asn-ipv6-num.csv'), 600, random, () => false)
  const hostingRanges = v4.filter((r) => hosting.has(r.asn))
  const otherRanges = v4.filter((r) => !hosting.has(r.asn))

  // the shoppers' addresses: 3,000, of which ~12% hosting, ~5% IPv6, ~1% private
  const ips: Array<{ ip: string, asn: number | undefined, hosting: boolean, v6: boolean }> = []
  for (let i = 0; i < 3000; i++) {
    const r = random()
    if (r < 0.01) ips.push({ ip: `192.168.${Math.floor(random() * 255)}.${1 + Math.floor(random() * 254)}`, asn: undefined, hosting: false, v6: false })
    else if (r < 0.06) {
      const range = pick(random, v6)
      ips.push({ ip: ipv6(within(range, random)), asn: range.asn, hosting: false, v6: true })
    } else if (r < 0.18) {
      const range = pick(random, hostingRanges)
      ips.push({ ip: ipv4(within(range, random)), asn: range.asn, hosting: true, v6: false })
    } else {
      const range = pick(random, otherRanges)
      ips.push({ ip: ipv4(within(range, random)), asn: range.asn, hosting: false, v6: false })
    }
  }
  // Tor-like: 2% of the addresses are on the exit list the server loads
  const torExits = ips.filter((a, i) => i % 50 === 7 && !a.v6 && !a.ip.startsWith('192.168.')).map((a) => a.ip)

  const emails = Array.from({ length: 6000 }, (_, i) => {
    const r = random()
    const domain = r < 0.08 ? pick(random, DISPOSABLE) : r < 0.25 ? pick(random, COMPANIES) : pick(random, WEBMAIL)
    return `${pick(random, ['somchai', 'nattaya', 'john', 'mei', 'arif', 'kanya', 'lee', 'sarah'])}.${i}${r < 0.5 ? '' : Math.floor(random() * 99)}@${domain}`
  })
  const cards = Array.from({ length: 8000 }, (_, i) => ({
    bin: pick(random, BINS),
    last4: String(Math.floor(random() * 10_000)).padStart(4, '0'),
    country: pick(random, COUNTRIES),
    fingerprint: `fp_${(i * 2654435761 >>> 0).toString(36)}${i.toString(36)}`,
    brand: pick(random, ['Visa', 'Mastercard', 'JCB', 'Amex']),
    funding: pick(random, ['credit', 'debit', 'prepaid'])
  }))

  const rests: string[] = []
  const charges: ChargeContext[] = []
  for (let i = 0; i < count; i++) {
    const shopper = skewed(random, 4000)
    const ip = ips[skewed(random, ips.length)] as (typeof ips)[number]
    const email = random() < 0.92 ? emails[(shopper * 7) % emails.length] : undefined
    const card = cards[random() < 0.85 ? (shopper * 13) % cards.length : skewed(random, cards.length)] as (typeof cards)[number]
    const country = random() < 0.8 ? card.country : pick(random, COUNTRIES)
    const itemCount = Math.floor(random() * 4)
    const items = Array.from({ length: itemCount }, () => {
      const k = Math.floor(random() * CATEGORIES.length)
      return { sku: `SKU-${k}-${Math.floor(random() * 500)}`, name: PRODUCTS[k] as string, category: CATEGORIES[k] as string, quantity: 1 + Math.floor(random() ** 3 * 6), unit_price: 5_000 + Math.floor(random() * 500_000) }
    })
    const gift = items.some((it) => it.category === 'gift_card' || it.category === 'voucher')
    const amount = items.length > 0 ? items.reduce((sum, it) => sum + it.quantity * it.unit_price, 0) : 10_000 + Math.floor(random() ** 2 * 8_000_000)
    const charge: ChargeContext = {
      charge_id: '',
      amount,
      currency: random() < 0.85 ? 'THB' : pick(random, ['USD', 'SGD', 'MYR']),
      ip: ip.ip,
      ...(email !== undefined ? { email } : {}),
      ...(random() < 0.9 ? { customer_id: `cus_${shopper}` } : {}),
      description: gift ? `${itemCount}x gift card / voucher` : `Order ${100_000 + i}`,
      card: random() < 0.97 ? card : withoutCountry(card),
      billing: { name: 'Shopper', line1: `${1 + (shopper % 200)} Sukhumvit Rd`, city: pick(random, CITIES), postal_code: String(10_100 + (shopper % 90)), country },
      ...(random() < 0.6 ? { shipping: { city: pick(random, CITIES), postal_code: String(10_100 + ((shopper + (random() < 0.1 ? 7 : 0)) % 90)), country } } : {}),
      ...(items.length > 0 ? { items } : {}),
      user_agent: pick(random, AGENTS),
      accept_language: pick(random, LANGUAGES),
      metadata: { channel: random() < 0.6 ? 'app' : 'web', attempt: 1 + Math.floor(random() ** 4 * 3) }
    }
    charges.push(charge)
    const { charge_id: _unused, ...rest } = charge
    rests.push(`${JSON.stringify(rest).slice(1)}`)
  }

  const used = new Set(charges.map((c) => c.ip))
  const usedInfo = ips.filter((a) => used.has(a.ip))
  return {
    rests,
    charges,
    torExits,
    stats: {
      bodies: count,
      ips: used.size,
      ipv6: new Set(usedInfo.filter((a) => a.v6).map((a) => a.ip)).size,
      hostingIps: new Set(usedInfo.filter((a) => a.hosting).map((a) => a.ip)).size,
      torIps: torExits.filter((ip) => used.has(ip)).length,
      privateIps: new Set(usedInfo.filter((a) => a.ip.startsWith('192.168.')).map((a) => a.ip)).size,
      asns: new Set(usedInfo.map((a) => a.asn).filter((a) => a !== undefined)).size,
      emails: new Set(charges.map((c) => c.email).filter((e) => e !== undefined)).size,
      disposableEmails: new Set(charges.map((c) => c.email).filter((e) => e !== undefined && DISPOSABLE.some((d) => e.endsWith(`@${d}`)))).size,
      cards: new Set(charges.map((c) => c.card?.fingerprint)).size
    }
  }
}

/** The JSON body of a corpus entry with its charge_id. */
export function bodyOf (corpus: Corpus, index: number, chargeId: string): string {
  return `{"charge_id":"${chargeId}",${corpus.rests[index % corpus.rests.length] as string}`
}
