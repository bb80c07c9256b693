import { createHash } from 'node:crypto'
import { ENGINE_VERSION, EngineVersion } from '../engine/engine-version.js'
import type { Features } from '../engine/features.js'
import type { Address, Item } from '../schemas/charge.js'
import type { Decision } from '../schemas/decision.js'
import type { CardSignals, DeviceSignals, EmailSignals, IpSignals, VelocitySignals } from '../schemas/signals.js'
import { DecisionLogFormat } from './format.js'
import { isIndexed } from './index-entry.js'
import { pack, PackedTextError, unpack, unpackHead } from './packed-text.js'
import type { PackedValue } from './packed-text.js'
import type { DecisionRecord } from './record.js'
import { IdentifierKind } from './store.js'
import type { IndexEntry } from './store.js'

/**
 * How a decision is kept at rest: one compact array per record, in packed text
 * (src/decision-log/packed-text.ts; records of versions 1 and 2 are JSON), positional (field tables
 * below, like protobuf field numbers: new fields go at the end of a table, never in between), and
 * what every record of a rule set and data shares (rule set version and hash, data versions,
 * velocity counter names) kept once, as a RecordContext that records name by id.
 *
 * Identifiers (the `id` fields of the tables: IP address, email address, card fingerprint,
 * customer id, names and street lines) are written as their keyed digest, never as given.
 * Decoding gives the documented record (src/decision-log/record.ts), identifiers as digests.
 * Rules are named by their place in the context's rule list.
 */

/** what the records of one rule set and one set of data versions share */
export interface RecordContext {
  /** 12 base64url characters of SHA-256 over the rest */
  id: string
  ruleset: { version: string, hash: string }
  /** the engine version that decided (src/engine/engine-version.ts); absent in contexts of version 1 */
  engine?: number
  data: Readonly<Record<string, string>>
  /** the rule set's velocity counter names: a record keeps their values in this order */
  velocity: readonly string[]
  /** the rule set's rule ids: a record names fired and skipped rules by their place here */
  rules: readonly string[]
  /**
   * when a challenger ran beside the live set (src/rollout/): the other set of the two, the one
   * that did not decide (`ruleset` is the one that did); a record names its fired rules by their
   * place in `rules`
   */
  other?: RecordContextOther
}

export interface RecordContextOther {
  role: 'live' | 'challenger'
  version: string
  hash: string
  rules: readonly string[]
  /** the rollout's mode: shadow, or enforce (the challenger decides a share of the charges) */
  mode: 'shadow' | 'enforce'
}

export function createRecordContext (ruleset: { version: string, hash: string }, data: Readonly<Record<string, string>>, velocity: readonly string[], rules: readonly string[], other?: RecordContextOther): RecordContext {
  const body: Omit<RecordContext, 'id'> = { ruleset: { version: ruleset.version, hash: ruleset.hash }, engine: ENGINE_VERSION, data: { ...data }, velocity: [...velocity], rules: [...rules] }
  if (other !== undefined) body.other = { role: other.role, version: other.version, hash: other.hash, rules: [...other.rules], mode: other.mode }
  const id = createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 12)
  return { id, ...body }
}

export function serializeContext (context: RecordContext): string {
  return JSON.stringify(context)
}

export function parseContext (text: string): RecordContext | undefined {
  try {
    const value = JSON.parse(text) as RecordContext
    if (typeof value?.id !== 'string' || typeof value.ruleset?.hash !== 'string' || !Array.isArray(value.velocity) || !Array.isArray(value.rules)) return undefined
    return value
  } catch {
    return undefined
  }
}

/** identifier -> its keyed digest (the request's own digests: each identifier is hashed once) */
export type DigestOf = (value: string) => string

const Kind = { STR: 0, NUM: 1, BOOL: 2, ID: 3 } as const
type Kind = typeof Kind[keyof typeof Kind]

type Table<T> = ReadonlyArray<readonly [keyof T & string, Kind]>
/** compile-time check that a table names every field of its type */
type Covers<T, Tb extends Table<T>> = Exclude<keyof T, Tb[number][0]> extends never ? Tb : never

function table<T> () {
  return <const Tb extends Table<T>>(tb: Covers<T, Tb>): Tb => tb
}

const IP = table<IpSignals>()([
  ['address', Kind.ID], ['version', Kind.NUM], ['is_private', Kind.BOOL], ['country', Kind.STR], ['asn', Kind.NUM],
  ['as_org', Kind.STR], ['is_tor', Kind.BOOL], ['is_hosting', Kind.BOOL], ['is_vpn', Kind.BOOL], ['is_proxy', Kind.BOOL],
  ['is_residential_proxy', Kind.BOOL], ['is_anonymous', Kind.BOOL], ['risk', Kind.NUM], ['connection_type', Kind.STR]
])
const EMAIL = table<EmailSignals>()([['address', Kind.ID], ['domain', Kind.STR], ['is_disposable', Kind.BOOL]])
const CARD = table<CardSignals>()([
  ['bin', Kind.STR], ['last4', Kind.STR], ['country', Kind.STR], ['brand', Kind.STR], ['funding', Kind.STR], ['fingerprint', Kind.ID]
])
/** the place of a field in its table */
function placeOf<T> (tb: Table<T>, name: keyof T & string): number {
  const at = tb.findIndex(([field]) => field === name)
  if (at < 0) throw new Error(`no field ${name} in the table`)
  return at
}
const IP_ADDRESS = placeOf(IP, 'address')
const EMAIL_ADDRESS = placeOf(EMAIL, 'address')
const CARD_FINGERPRINT = placeOf(CARD, 'fingerprint')
const ADDRESS = table<Address>()([
  ['name', Kind.ID], ['line1', Kind.ID], ['line2', Kind.ID], ['city', Kind.STR], ['state', Kind.STR], ['postal_code', Kind.STR], ['country', Kind.STR]
])
/**
 * What a record keeps of the device: what the user agent and the Accept-Language header say, not
 * the headers themselves (a user agent is a hundred characters or more, a fifth of a record). A
 * backtest replays what the rules read of them; a rule on `device.user_agent` or
 * `device.accept_language` is skipped there (unknown). A retry of the charge gets them back from
 * its own body (withIdentifiers).
 */
export type RecordedDevice = Omit<DeviceSignals, 'user_agent' | 'accept_language'>
const DEVICE = table<RecordedDevice>()([
  ['browser', Kind.STR], ['os', Kind.STR], ['is_mobile', Kind.BOOL], ['is_bot', Kind.BOOL], ['language', Kind.STR]
])
const ITEM = table<Item>()([['sku', Kind.STR], ['name', Kind.STR], ['category', Kind.STR], ['quantity', Kind.NUM], ['unit_price', Kind.NUM]])

/**
 * The place of each of the Features' own fields in a record: every field has one (a new feature
 * must be given the next free place; places never change).
 */
const AT: Readonly<Record<keyof Features, number>> = {
  amount: 0,
  currency: 1,
  item_count: 2,
  items: 3,
  metadata: 4,
  ip: 5,
  customer: 6,
  description: 7,
  email: 8,
  card: 9,
  billing: 10,
  shipping: 11,
  velocity: 12,
  device: 13,
  billing_shipping_match: 14,
  ip_billing_distance_km: 15
}

/**
 * The paths whose values are identifiers of a person or a card: kept only as keyed digests. A
 * backtest hashes list entries with the same key, so `email.address in lists.blocked_emails`
 * replays exactly; string functions on these paths (`startsWith`, `matches`) do not.
 */
export const HASHED_PATHS = [
  'ip.address', 'email.address', 'card.fingerprint', 'customer.id',
  'billing.name', 'billing.line1', 'billing.line2', 'shipping.name', 'shipping.line1', 'shipping.line2'
] as const
export type HashedPath = typeof HASHED_PATHS[number]

type Row = Array<string | number | null>
type Encoded = string | number | null | Encoded[] | Record<string, string | number | boolean>

function encodeTuple<T> (tb: Table<T>, value: T | undefined, digestOf: DigestOf): Row | null {
  if (value === undefined) return null
  const row: Row = []
  let last = -1
  for (let i = 0; i < tb.length; i++) {
    const [name, kind] = tb[i] as readonly [keyof T & string, Kind]
    const v = (value as Record<string, unknown>)[name]
    if (v === undefined || v === null) {
      row.push(null)
      continue
    }
    if (kind === Kind.BOOL) row.push(v === true ? 1 : 0)
    else if (kind === Kind.ID) row.push(digestOf(v as string))
    else row.push(v as string | number)
    last = i
  }
  row.length = last + 1
  return row
}

function decodeTuple<T> (tb: Table<T>, row: unknown): T | undefined {
  if (!Array.isArray(row)) return undefined
  const out: Record<string, unknown> = {}
  for (let i = 0; i < row.length && i < tb.length; i++) {
    const v = row[i] as unknown
    if (v === null || v === undefined) continue
    const [name, kind] = tb[i] as readonly [string, Kind]
    out[name] = kind === Kind.BOOL ? v === 1 : v
  }
  return out as T
}

/** Everything a record holds, as the request computed it (identifiers as given: encoding hashes them). */
export interface RecordInput {
  chargeId: string
  atMs: number
  features: Features
  decision: Decision
  score: number
  fired: readonly string[]
  shadow: { decision: Decision, score: number, fired: readonly string[] }
  skipped: readonly string[]
  degraded: readonly string[]
  /** what the other set decided, when a challenger ran (the context's `other` names that set) */
  other?: { decision: Decision, score: number, fired: readonly string[] }
}

const DECISIONS: readonly Decision[] = ['allow', 'review', 'block']
/**
 * The codec's own version: the first element of every encoded record. Version 2 writes the
 * identifiers that the record's index entry holds (IP address, email address, card fingerprint,
 * customer id: src/decision-log/index-entry.ts) as INDEXED instead of their digests, which every
 * store keeps beside the record in its index entry: a digest is kept once, not twice. Version 1
 * records (written before) hold every digest themselves and decode as they are. Version 3 is
 * version 2 in packed text instead of JSON: a third shorter (347 bytes against 505 on the bench
 * corpus), about as fast to write and to read once the JIT has compiled it (docs/performance.md).
 */
const CODEC = 3
/** the version RISKGATE_DECISION_LOG_FORMAT 2 writes (format.ts) */
const JSON_CODEC = 2
/** the versions written as JSON */
const JSON_CODECS: ReadonlySet<unknown> = new Set([1, JSON_CODEC])
/** in a version 2 record: this identifier's digest is the index entry's */
const INDEXED = 1

/** the identifier digests of a record's index entry, which a version 2 record leaves to it */
export type IndexedDigests = IndexEntry['identifiers']

/** row with its identifier at place `at` written as INDEXED, when the index entry holds it */
function leaveToIndex (row: Row | null, at: number, raw: unknown): Row | null {
  if (row !== null && isIndexed(raw)) row[at] = INDEXED
  return row
}

/** the digest an INDEXED identifier stands for; absent (unknown) if the index entry lacks it */
function fromIndex<T extends object> (tuple: T | undefined, name: keyof T & string, digest: string | undefined): void {
  if (tuple === undefined || (tuple as Record<string, unknown>)[name] !== INDEXED) return
  if (digest === undefined) Reflect.deleteProperty(tuple, name)
  else (tuple as Record<string, unknown>)[name] = digest
}

function encodeFeatures (f: Features, context: RecordContext, digestOf: DigestOf): Encoded[] {
  const velocity = f.velocity
  const row: Encoded[] = new Array(Object.keys(AT).length).fill(null)
  row[AT.amount] = f.amount
  row[AT.currency] = f.currency
  row[AT.item_count] = f.item_count
  if (f.items.length > 0) row[AT.items] = f.items.map((item) => encodeTuple(ITEM, item, digestOf) ?? [])
  if (Object.keys(f.metadata).length > 0) row[AT.metadata] = f.metadata
  row[AT.ip] = leaveToIndex(encodeTuple(IP, f.ip, digestOf), IP_ADDRESS, f.ip.address)
  if (f.customer.id !== undefined) row[AT.customer] = isIndexed(f.customer.id) ? INDEXED : digestOf(f.customer.id)
  if (f.description !== undefined) row[AT.description] = f.description
  row[AT.email] = leaveToIndex(encodeTuple(EMAIL, f.email, digestOf), EMAIL_ADDRESS, f.email?.address)
  row[AT.card] = leaveToIndex(encodeTuple(CARD, f.card, digestOf), CARD_FINGERPRINT, f.card?.fingerprint)
  row[AT.billing] = encodeTuple(ADDRESS, f.billing, digestOf)
  row[AT.shipping] = encodeTuple(ADDRESS, f.shipping, digestOf)
  if (velocity !== undefined) row[AT.velocity] = context.velocity.map((name) => velocity[name] ?? null)
  // an empty row when only the headers themselves were sent: the device was known, nothing kept of it
  if (f.device !== undefined) row[AT.device] = encodeTuple(DEVICE, f.device, digestOf)
  if (f.billing_shipping_match !== undefined) row[AT.billing_shipping_match] = f.billing_shipping_match ? 1 : 0
  if (f.ip_billing_distance_km !== undefined) row[AT.ip_billing_distance_km] = f.ip_billing_distance_km
  let end = row.length
  while (end > 0 && row[end - 1] === null) end--
  row.length = end
  return row
}

function decodeFeatures (row: unknown[], context: RecordContext | undefined, indexed: IndexedDigests | undefined): Features {
  const at = (i: number): unknown => row[i] ?? undefined
  const items = at(AT.items)
  const customer = at(AT.customer)
  const features: Features = {
    amount: at(AT.amount) as number,
    currency: at(AT.currency) as string,
    item_count: (at(AT.item_count) as number | undefined) ?? 0,
    items: Array.isArray(items) ? items.map((item) => decodeTuple(ITEM, item) as Item) : [],
    metadata: (at(AT.metadata) as Features['metadata'] | undefined) ?? {},
    ip: decodeTuple(IP, at(AT.ip)) as IpSignals,
    customer: typeof customer === 'string' ? { id: customer } : {}
  }
  const description = at(AT.description)
  if (typeof description === 'string') features.description = description
  const email = decodeTuple(EMAIL, at(AT.email))
  if (email !== undefined) features.email = email
  const card = decodeTuple(CARD, at(AT.card))
  if (card !== undefined) features.card = card
  if (indexed !== undefined) {
    // a version 2 record: its index entry holds these digests
    fromIndex(features.ip, 'address', indexed[IdentifierKind.IP])
    fromIndex(email, 'address', indexed[IdentifierKind.EMAIL])
    fromIndex(card, 'fingerprint', indexed[IdentifierKind.CARD])
    const id = indexed[IdentifierKind.CUSTOMER]
    if (customer === INDEXED && id !== undefined) features.customer = { id }
  }
  const billing = decodeTuple(ADDRESS, at(AT.billing))
  if (billing !== undefined) features.billing = billing
  const shipping = decodeTuple(ADDRESS, at(AT.shipping))
  if (shipping !== undefined) features.shipping = shipping
  const velocity = at(AT.velocity)
  if (Array.isArray(velocity) && context !== undefined) {
    const out: VelocitySignals = {}
    const names = context.velocity
    velocity.forEach((value, i) => {
      const name = names[i]
      if (name !== undefined && typeof value === 'number') out[name] = value
    })
    features.velocity = out
  }
  const device = decodeTuple(DEVICE, at(AT.device))
  if (device !== undefined) features.device = device
  const match = at(AT.billing_shipping_match)
  if (match === 0 || match === 1) features.billing_shipping_match = match === 1
  const distance = at(AT.ip_billing_distance_km)
  if (typeof distance === 'number') features.ip_billing_distance_km = distance
  return features
}

// rule id -> its place in the context's rules
const ruleIndexes = new WeakMap<RecordContext, Map<string, number>>()

function ruleIndex (context: RecordContext): Map<string, number> {
  let index = ruleIndexes.get(context)
  if (index === undefined) {
    index = new Map(context.rules.map((id, i) => [id, i]))
    ruleIndexes.set(context, index)
  }
  return index
}

/** rule ids as their places in the context (an id the context does not know stays an id) */
function encodeRules (ids: readonly string[], index: Map<string, number>): Array<number | string> {
  return ids.map((id) => index.get(id) ?? id)
}

function decodeRules (encoded: unknown, context: RecordContext | undefined): string[] {
  if (!Array.isArray(encoded)) return []
  return encoded.map((rule: unknown) => typeof rule === 'number' ? context?.rules[rule] ?? `#${rule}` : String(rule))
}

/**
 * The record as stored: packed text (JSON of codec version 2 in format 2, format.ts), identifiers
 * replaced by `digestOf`.
 */
export function encodeRecord (input: RecordInput, context: RecordContext, digestOf: DigestOf, format: DecisionLogFormat = DecisionLogFormat.CURRENT): string {
  const rules = ruleIndex(context)
  const json = format === DecisionLogFormat.EARLIER
  const row = [
    json ? JSON_CODEC : CODEC,
    input.chargeId,
    input.atMs,
    context.id,
    DECISIONS.indexOf(input.decision),
    input.score,
    encodeRules(input.fired, rules),
    DECISIONS.indexOf(input.shadow.decision),
    input.shadow.score,
    encodeRules(input.shadow.fired, rules),
    encodeRules(input.skipped, rules),
    input.degraded,
    encodeFeatures(input.features, context, digestOf)
  ]
  // the other set of a rollout: [decision, score, fired rules by their place in context.other.rules]
  if (input.other !== undefined && context.other !== undefined) {
    row.push([DECISIONS.indexOf(input.other.decision), input.other.score, encodeRules(input.other.fired, otherRuleIndex(context.other))])
  }
  return json ? JSON.stringify(row) : pack(row as PackedValue)
}

// rule id -> its place in the other set's rules
const otherRuleIndexes = new WeakMap<RecordContextOther, Map<string, number>>()

function otherRuleIndex (other: RecordContextOther): Map<string, number> {
  let index = otherRuleIndexes.get(other)
  if (index === undefined) {
    index = new Map(other.rules.map((id, i) => [id, i]))
    otherRuleIndexes.set(other, index)
  }
  return index
}

/** the rollout of a record whose context has an `other` set: what each of the two decided */
function decodeRollout (encoded: unknown, context: RecordContext): DecodedRollout | undefined {
  const other = context.other
  if (other === undefined || !Array.isArray(encoded)) return undefined
  const decision = DECISIONS[encoded[0] as number]
  if (decision === undefined || typeof encoded[1] !== 'number') return undefined
  const fired = Array.isArray(encoded[2])
    ? encoded[2].map((rule: unknown) => typeof rule === 'number' ? other.rules[rule] ?? `#${rule}` : String(rule))
    : []
  return { decided_by: other.role === 'live' ? 'challenger' : 'live', mode: other.mode, other: { version: other.version, hash: other.hash, decision, score: encoded[1], fired } }
}

interface DecodedRollout {
  decided_by: 'live' | 'challenger'
  mode: 'shadow' | 'enforce'
  other: { version: string, hash: string, decision: Decision, score: number, fired: string[] }
}

/** a record of version 1 or 2: JSON, an array */
function isJson (encoded: string): boolean {
  return encoded.charCodeAt(0) === 0x5b
}

/** the codec version, charge id, time and context id of a record of version 3, or undefined */
function packedHead (encoded: string): unknown[] | undefined {
  try {
    return unpackHead(encoded, 4)
  } catch (err) {
    if (err instanceof PackedTextError) return undefined
    throw err
  }
}

/** the context id an encoded record names (to fetch its context before decoding it) */
export function contextIdOf (encoded: string): string | undefined {
  if (isJson(encoded)) return /^\[\d+,(?:"(?:[^"\\]|\\.)*"),\d+,"([A-Za-z0-9_-]+)"/.exec(encoded)?.[1]
  const id = packedHead(encoded)?.[3]
  return typeof id === 'string' ? id : undefined
}

/**
 * The documented record of an encoded one, with the identifier digests of its index entry (kept
 * beside it by every store). Without its context (lost, or never written), the rule set and data
 * versions read `unknown` and the velocity values are absent.
 */
export function decodeRecord (encoded: string, decisionId: string, context: RecordContext | undefined, indexed: IndexedDigests): DecisionRecord {
  const json = isJson(encoded)
  const row = (json ? JSON.parse(encoded) : unpack(encoded)) as unknown[]
  if (!Array.isArray(row) || !(json ? JSON_CODECS.has(row[0]) : row[0] === CODEC)) throw new Error('not a decision record of a known version')
  const features = decodeFeatures(row[12] as unknown[], context, row[0] === 1 ? undefined : indexed)
  const record: DecisionRecord = {
    v: 1,
    decision_id: decisionId,
    charge_id: row[1] as string,
    at: new Date(row[2] as number).toISOString(),
    amount: features.amount,
    currency: features.currency,
    features,
    ruleset: context === undefined ? { version: 'unknown', hash: 'unknown' } : { ...context.ruleset },
    ...(context === undefined ? {} : { engine: typeof context.engine === 'number' ? context.engine : EngineVersion.FIRST }),
    data: context === undefined ? {} : { ...context.data },
    decision: DECISIONS[row[4] as number] as Decision,
    score: row[5] as number,
    fired: decodeRules(row[6], context),
    shadow: { decision: DECISIONS[row[7] as number] as Decision, score: row[8] as number, fired: decodeRules(row[9], context) },
    skipped: decodeRules(row[10], context),
    degraded: row[11] as string[]
  }
  const rollout = context === undefined ? undefined : decodeRollout(row[13], context)
  if (rollout !== undefined) {
    const own = { ...record.ruleset, decision: record.decision, score: record.score, fired: record.fired }
    record.rollout = {
      decided_by: rollout.decided_by,
      mode: rollout.mode,
      live: rollout.decided_by === 'live' ? own : rollout.other,
      challenger: rollout.decided_by === 'live' ? rollout.other : own
    }
  }
  return record
}

/** the time of an encoded record (ms), without decoding it */
export function atOf (encoded: string): number {
  if (isJson(encoded)) {
    const match = /^\[\d+,(?:"(?:[^"\\]|\\.)*"),(\d+),/.exec(encoded)
    return match === null ? Number.NaN : Number(match[1])
  }
  const at = packedHead(encoded)?.[2]
  return typeof at === 'number' ? at : Number.NaN
}

/**
 * The features of a record with its identifier digests replaced by the identifiers of `raw` (the
 * same charge's features, as a retry of the same body computes them), and what the record leaves
 * out (the user agent and Accept-Language header) put back from `raw`: what the decision saw.
 */
export function withIdentifiers (recorded: Features, raw: Features): Features {
  const out: Features = { ...recorded, ip: { ...recorded.ip, address: raw.ip.address }, customer: { ...raw.customer } }
  if (recorded.device !== undefined) {
    const device: DeviceSignals = { ...recorded.device }
    if (raw.device?.user_agent !== undefined) device.user_agent = raw.device.user_agent
    if (raw.device?.accept_language !== undefined) device.accept_language = raw.device.accept_language
    out.device = device
  }
  if (recorded.email !== undefined && raw.email !== undefined) out.email = { ...recorded.email, address: raw.email.address }
  if (recorded.card !== undefined) {
    const card: CardSignals = { ...recorded.card }
    if (raw.card?.fingerprint !== undefined) card.fingerprint = raw.card.fingerprint
    out.card = card
  }
  if (recorded.billing !== undefined) out.billing = withAddressIdentifiers(recorded.billing, raw.billing)
  if (recorded.shipping !== undefined) out.shipping = withAddressIdentifiers(recorded.shipping, raw.shipping)
  return out
}

function withAddressIdentifiers (recorded: Address, raw: Address | undefined): Address {
  const out: Address = { ...recorded }
  for (const field of ['name', 'line1', 'line2'] as const) {
    if (raw?.[field] !== undefined) out[field] = raw[field]
  }
  return out
}
