import t from 'tap'
import fc from 'fast-check'
import { atOf, contextIdOf, createRecordContext, decodeRecord, encodeRecord, HASHED_PATHS, parseContext, serializeContext, withIdentifiers } from '../../src/decision-log/codec.js'
import type { RecordInput } from '../../src/decision-log/codec.js'
import { DecisionLogFormat } from '../../src/decision-log/format.js'
import { indexEntry } from '../../src/decision-log/index-entry.js'
import { createSnapshotHash } from '../../src/decision-log/snapshot.js'
import { IdentifierKind } from '../../src/decision-log/store.js'
import { ENGINE_VERSION, EngineVersion } from '../../src/engine/engine-version.js'
import type { Features } from '../../src/engine/features.js'

const digestOf = createSnapshotHash('test-hash-key-codec-0123456789abcdef012')
const COUNTERS = ['charges_per_ip_1h', 'cards_per_email_24h', 'amount_per_card_24h']
const RULES = ['tor_exit', 'hosting_ip', 'big_amount', 'shadow_rule']
const context = createRecordContext({ version: '2026-11-22.1', hash: 'f'.repeat(64) }, { country: '2026-06-17T19:51:40.000Z', asn: '2026-06-17T19:00:00.000Z' }, COUNTERS, RULES)

const text = fc.string({ maxLength: 40 })
const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined })
const int = fc.integer({ min: -1_000_000, max: Number.MAX_SAFE_INTEGER })

function defined<T extends object> (value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

/** an identifier that cannot occur by chance in another field (the check below looks for it in the record) */
const marked = fc.string({ maxLength: 30 }).map((s) => `id\u00a7${s}`)
const address = fc.record({ name: opt(marked), line1: opt(marked), line2: opt(marked), city: opt(text), state: opt(text), postal_code: opt(text), country: opt(text) }).map(defined)
const features: fc.Arbitrary<Features> = fc.record({
  amount: fc.nat(),
  currency: fc.constantFrom('THB', 'USD', 'JPY'),
  description: opt(text),
  item_count: fc.nat({ max: 1000 }),
  items: fc.array(fc.record({ sku: opt(text), name: opt(text), category: opt(text), quantity: opt(fc.nat()), unit_price: opt(fc.nat()) }).map(defined), { maxLength: 4 }),
  metadata: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(text, fc.integer(), fc.boolean()), { maxKeys: 4 }),
  ip: fc.record({
    address: fc.ipV4(),
    version: fc.constantFrom(4 as const, 6 as const),
    is_private: fc.boolean(),
    country: opt(fc.constantFrom('TH', 'US')),
    asn: opt(fc.nat()),
    as_org: opt(text),
    is_tor: opt(fc.boolean()),
    is_hosting: opt(fc.boolean()),
    is_vpn: opt(fc.boolean()),
    is_proxy: opt(fc.boolean()),
    is_residential_proxy: opt(fc.boolean()),
    is_anonymous: opt(fc.boolean()),
    risk: opt(fc.double({ min: 0.01, max: 99, noNaN: true })),
    connection_type: opt(fc.constantFrom('Cable/DSL', 'Cellular', 'Corporate', 'Satellite'))
  }).map(defined),
  email: opt(fc.record({ address: fc.emailAddress(), domain: fc.domain(), is_disposable: opt(fc.boolean()) }).map(defined)),
  card: opt(fc.record({ bin: opt(fc.stringMatching(/^[0-9]{6,8}$/)), last4: opt(fc.stringMatching(/^[0-9]{4}$/)), country: opt(text), brand: opt(text), funding: opt(text), fingerprint: opt(marked) }).map(defined)),
  billing: opt(address),
  shipping: opt(address),
  velocity: opt(fc.record(Object.fromEntries(COUNTERS.map((name) => [name, int]))).chain((all) => fc.subarray(COUNTERS).map((names) => Object.fromEntries(names.map((n) => [n, all[n] as number]))))),
  customer: fc.record({ id: opt(marked) }).map(defined),
  device: opt(fc.record({
    user_agent: opt(fc.string({ minLength: 1, maxLength: 200 })),
    browser: opt(text),
    os: opt(text),
    is_mobile: opt(fc.boolean()),
    is_bot: opt(fc.boolean()),
    accept_language: opt(fc.string({ minLength: 1, maxLength: 40 })),
    language: opt(fc.stringMatching(/^[a-z]{2,3}$/))
  }).map(defined)),
  billing_shipping_match: opt(fc.boolean()),
  ip_billing_distance_km: opt(fc.nat({ max: 20_038 }))
}).map((f) => defined(f) as Features)

/** the features as a record keeps them: every identifier (HASHED_PATHS) as its digest */
function hashed (f: Features): Features {
  const copy = JSON.parse(JSON.stringify(f)) as Record<string, Record<string, unknown>>
  for (const path of HASHED_PATHS) {
    const [root, field] = path.split('.') as [string, string]
    const parent = copy[root]
    if (parent !== undefined && typeof parent[field] === 'string') parent[field] = digestOf(parent[field] as string)
  }
  // the headers themselves are not kept: what they say is
  if (copy.device !== undefined) {
    delete copy.device.user_agent
    delete copy.device.accept_language
  }
  return copy as unknown as Features
}

/** the identifier digests the record's index entry holds (every store keeps it beside the record) */
function indexed (f: Features): Partial<Record<IdentifierKind, string>> {
  return indexEntry(f, 'allow', [], false, digestOf).identifiers
}

const decision = fc.constantFrom('allow' as const, 'review' as const, 'block' as const)
const input: fc.Arbitrary<RecordInput> = fc.record({
  chargeId: fc.string({ minLength: 1, maxLength: 64 }),
  atMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  features,
  decision,
  score: fc.integer({ min: 0, max: 100 }),
  fired: fc.subarray(RULES),
  shadow: fc.record({ decision, score: fc.integer({ min: 0, max: 100 }), fired: fc.subarray(RULES) }),
  skipped: fc.subarray(RULES),
  degraded: fc.subarray(['velocity', 'idempotency'])
})

t.test('a record decodes to what was decided, identifiers as their keyed digests', async (t) => {
  fc.assert(fc.property(input, (record) => {
    const encoded = encodeRecord(record, context, digestOf)
    const identifiers = indexed(record.features)
    const decoded = decodeRecord(encoded, 'a-decision-id', context, identifiers)
    t.same(decoded, {
      v: 1,
      decision_id: 'a-decision-id',
      charge_id: record.chargeId,
      at: new Date(record.atMs).toISOString(),
      amount: record.features.amount,
      currency: record.features.currency,
      features: hashed(record.features),
      ruleset: context.ruleset,
      engine: ENGINE_VERSION,
      data: context.data,
      decision: record.decision,
      score: record.score,
      fired: record.fired,
      shadow: record.shadow,
      skipped: record.skipped,
      degraded: record.degraded
    }, 'round trip', { diagnostic: false })
    // format 2 (a rolling upgrade): the JSON of codec version 2, which reads back the same
    const json = encodeRecord(record, context, digestOf, DecisionLogFormat.EARLIER)
    t.equal(json.slice(0, 3), '[2,', 'format 2: JSON, version 2', { diagnostic: false })
    t.same(decodeRecord(json, 'a-decision-id', context, identifiers), decoded, 'format 2 reads back the same', { diagnostic: false })
    t.equal(contextIdOf(json), context.id, { diagnostic: false })
    t.equal(atOf(json), record.atMs, { diagnostic: false })
    t.equal(contextIdOf(encoded), context.id, 'context id read without decoding', { diagnostic: false })
    t.equal(atOf(encoded), record.atMs, 'time read without decoding', { diagnostic: false })
    for (const path of HASHED_PATHS) {
      const [root, field] = path.split('.') as [string, string]
      const raw = (record.features as unknown as Record<string, Record<string, unknown> | undefined>)[root]?.[field]
      if (typeof raw === 'string' && raw.length >= 6) t.notOk(encoded.includes(JSON.stringify(raw).slice(1, -1)), `${path} never in clear`, { diagnostic: false })
    }
    // the index entry's digests are kept there, not a second time in the record
    const addresses = [record.features.billing, record.features.shipping].flatMap((a) => [a?.name, a?.line1, a?.line2]).filter((v) => v !== undefined).map(digestOf)
    for (const digest of Object.values(identifiers)) {
      // (unless an address line is the same text: its digest is the address's own)
      if (!addresses.includes(digest)) t.notOk(encoded.includes(digest), 'an indexed digest is not in the record', { diagnostic: false })
    }
    // without them, those identifiers are unknown; the rest of the record is whole
    const alone = decodeRecord(encoded, 'a-decision-id', context, {})
    t.equal(alone.features.ip.address, undefined, 'the IP address is the index entry\'s', { diagnostic: false })
    t.equal(alone.features.customer.id, undefined, 'the customer id is the index entry\'s', { diagnostic: false })
    t.same({ ...alone.features, ip: decoded.features.ip, customer: decoded.features.customer, email: decoded.features.email, card: decoded.features.card }, decoded.features, 'the rest decodes alike', { diagnostic: false })
    // the retry's identifiers put back give the features the decision saw
    t.same(withIdentifiers(decoded.features, record.features), record.features, 'identifiers restored from the retry', { diagnostic: false })
  }), { numRuns: 300 })
})

t.test('the shared context is kept once, not in every record', async (t) => {
  const encoded = encodeRecord({
    chargeId: 'ch_1',
    atMs: 1,
    features: { amount: 1, currency: 'THB', item_count: 0, items: [], metadata: {}, ip: { address: '8.8.8.8', version: 4, is_private: false }, customer: {}, velocity: { charges_per_ip_1h: 3 } },
    decision: 'block',
    score: 100,
    fired: ['tor_exit', 'not_in_context'],
    shadow: { decision: 'block', score: 100, fired: [] },
    skipped: ['big_amount'],
    degraded: []
  }, context, digestOf)
  t.notOk(encoded.includes('2026-11-22.1') || encoded.includes('charges_per_ip_1h') || encoded.includes('tor_exit'), 'versions, counter names and known rule ids are the context\'s')
  t.ok(encoded.includes('not_in_context'), 'a rule id the context does not know stays an id')
  const decoded = decodeRecord(encoded, 'd', context, {})
  t.same(decoded.fired, ['tor_exit', 'not_in_context'])
  t.same(decoded.features.velocity, { charges_per_ip_1h: 3 })
  t.same(parseContext(serializeContext(context)), context)
  t.equal(parseContext('{"not":"a context"}'), undefined)
  t.equal(parseContext('not json'), undefined)
  const orphan = decodeRecord(encoded, 'd', undefined, {})
  t.same(orphan.ruleset, { version: 'unknown', hash: 'unknown' })
  t.equal(orphan.features.velocity, undefined, 'counter values need their names')
  t.equal(orphan.engine, undefined, 'nor is the engine version known')
})

t.test('the engine version that decided is the context\'s; a context written before it was recorded is engine 1', async (t) => {
  t.equal(context.engine, ENGINE_VERSION)
  const encoded = encodeRecord({
    chargeId: 'ch_1',
    atMs: 1,
    features: { amount: 1, currency: 'THB', item_count: 0, items: [], metadata: {}, ip: { address: '8.8.8.8', version: 4, is_private: false }, customer: {} },
    decision: 'review',
    score: 100,
    fired: ['tor_exit'],
    shadow: { decision: 'review', score: 100, fired: [] },
    skipped: [],
    degraded: []
  }, context, digestOf)
  t.equal(decodeRecord(encoded, 'd', context, {}).engine, ENGINE_VERSION)
  const { engine, ...older } = context
  t.equal(engine, ENGINE_VERSION)
  const stored = parseContext(JSON.stringify(older))
  t.ok(stored !== undefined)
  t.equal(decodeRecord(encoded, 'd', stored, {}).engine, EngineVersion.FIRST)
})

t.test('a context depends on everything it holds', async (t) => {
  const base = [{ version: '1', hash: 'h' }, { country: 'a' }, ['c1'], ['r1']] as const
  const id = createRecordContext(...base).id
  t.not(createRecordContext({ version: '2', hash: 'h' }, base[1], base[2], base[3]).id, id)
  t.not(createRecordContext(base[0], { country: 'b' }, base[2], base[3]).id, id)
  t.not(createRecordContext(base[0], base[1], ['c2'], base[3]).id, id)
  t.not(createRecordContext(base[0], base[1], base[2], ['r2']).id, id)
  t.equal(createRecordContext(...base).id, id, 'and only on it')
})

t.test('a record keeps what the device headers say, not the headers', async (t) => {
  const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36'
  const features: Features = {
    amount: 1,
    currency: 'THB',
    item_count: 0,
    items: [],
    metadata: {},
    ip: { address: '8.8.8.8', version: 4, is_private: false, connection_type: 'Cellular' },
    customer: {},
    device: { user_agent: userAgent, browser: 'Chrome', os: 'Linux', is_mobile: false, is_bot: true, accept_language: 'id-ID,id;q=0.9', language: 'id' },
    billing_shipping_match: false,
    ip_billing_distance_km: 1234
  }
  const encoded = encodeRecord({ chargeId: 'ch_d', atMs: 1, features, decision: 'review', score: 50, fired: [], shadow: { decision: 'review', score: 50, fired: [] }, skipped: [], degraded: [] }, context, digestOf)
  t.notOk(encoded.includes('HeadlessChrome') || encoded.includes('id-ID'), 'neither header is in the record')
  const decoded = decodeRecord(encoded, 'd', context, {})
  t.same(decoded.features.device, { browser: 'Chrome', os: 'Linux', is_mobile: false, is_bot: true, language: 'id' })
  t.equal(decoded.features.ip.connection_type, 'Cellular')
  t.equal(decoded.features.billing_shipping_match, false)
  t.equal(decoded.features.ip_billing_distance_km, 1234)
  const withoutDevice = encodeRecord({ chargeId: 'ch_d', atMs: 1, features: { ...features, device: { is_bot: true } }, decision: 'review', score: 50, fired: [], shadow: { decision: 'review', score: 50, fired: [] }, skipped: [], degraded: [] }, context, digestOf)
  t.ok(encoded.length - withoutDevice.length < 40, `the parsed device costs a few bytes (${encoded.length - withoutDevice.length})`)
})

t.test('a record of codec version 1 holds its identifier digests itself, and decodes as it did', async (t) => {
  // as version 1 wrote it: every identifier's digest in the record
  const v1 = `[1,"ch_1",1764000000000,"${context.id}",2,100,[0],2,100,[],[],[],[1,"THB",0,null,null,["ipDigest",4,0],"customerDigest",null,["emailDigest","example.com"],[null,null,null,null,null,"cardDigest"]]]`
  for (const identifiers of [{}, { [IdentifierKind.IP]: 'other', [IdentifierKind.CUSTOMER]: 'other', [IdentifierKind.EMAIL]: 'other', [IdentifierKind.CARD]: 'other' }]) {
    const decoded = decodeRecord(v1, 'd', context, identifiers)
    t.equal(decoded.features.ip.address, 'ipDigest')
    t.same(decoded.features.customer, { id: 'customerDigest' })
    t.same(decoded.features.email, { address: 'emailDigest', domain: 'example.com' })
    t.same(decoded.features.card, { fingerprint: 'cardDigest' })
    t.same(decoded.fired, ['tor_exit'])
  }
  t.throws(() => decodeRecord(v1.replace('[1,', '[3,'), 'd', context, {}), /not a decision record of a known version/)
})
