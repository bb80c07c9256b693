import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseCsvLine } from '../../../src/mmdb/csv.js'
import { ASN_PACKAGE, bundledDataPaths, packageDir } from '../../../src/signals/ip/bundled-data.js'
import { parseHostingList } from '../../../src/signals/ip/hosting-list.js'

/**
 * Every AS number of data/hosting-asns.txt must belong to the provider its comment names: at
 * least one distinctive word of the comment appears in the organization the bundled ASN data
 * gives for that number. A mistyped number lands on another organization and fails here.
 */
const GENERIC = new Set([
  'the', 'and', 'inc', 'llc', 'ltd', 'limited', 'corp', 'corporation', 'company', 'gmbh', 'sas', 'srl', 'pte', 'pvt',
  'jsc', 'holding', 'group', 'international', 'cloud', 'hosting', 'host', 'network', 'networks', 'internet', 'online',
  'technologies', 'technology', 'services', 'service', 'solutions', 'systems', 'computer', 'data', 'center', 'web',
  'formerly', 'now', 'usa', 'asia', 'china', 'beijing', 'singapore', 'japan', 'ireland', 'germany', 'netherlands',
  'platform', 'infrastructure', 'connected', 'proxies', 'see', 'above', 'ranges', 'engine', 'compute', 'vpn',
  'co', 'sa', 'se', 'ag', 'bv', 'us', 'of', 'de', 'hk', 'io'
])

function words (text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 2 && !GENERIC.has(w)))
}

t.test('data/hosting-asns.txt: every number matches its provider in the ASN data', async (t) => {
  const text = readFileSync(bundledDataPaths().hostingAsns, 'utf8')
  const { entries, count } = parseHostingList(text, 'hosting-asns.txt')
  t.equal(entries.networks.length, 0, 'the bundled list holds AS numbers only')
  t.equal(entries.asns.size, count, 'no AS number is listed twice')
  t.ok(count >= 60, `${count} providers listed`)

  const orgs = new Map<number, Set<string>>()
  const csv = readFileSync(join(packageDir(ASN_PACKAGE), 'asn-ipv4.csv'), 'utf8')
  let start = 0
  while (start < csv.length) {
    let end = csv.indexOf('\n', start)
    if (end === -1) end = csv.length
    const line = csv.slice(start, end)
    start = end + 1
    const comma = line.indexOf(',', line.indexOf(',') + 1)
    const asn = Number(line.slice(comma + 1, line.indexOf(',', comma + 1)))
    if (!entries.asns.has(asn)) continue
    const fields = parseCsvLine(line)
    const org = fields?.[3] ?? ''
    let set = orgs.get(asn)
    if (set === undefined) orgs.set(asn, set = new Set())
    set.add(org)
  }

  for (const [asn, label] of entries.asns) {
    const names = orgs.get(asn)
    if (names === undefined) {
      t.fail(`AS${asn} (${label}) does not announce any IPv4 range in the bundled data`)
      continue
    }
    const labelWords = words(label)
    const orgWords = new Set([...names].flatMap((name) => [...words(name)]))
    const shared = [...labelWords].filter((w) => orgWords.has(w))
    t.ok(shared.length > 0, `AS${asn} "${label}" is registered to ${[...names].join(' / ')}`)
  }
})

t.test('the excluded networks stay excluded', async (t) => {
  const { entries } = parseHostingList(readFileSync(bundledDataPaths().hostingAsns, 'utf8'), 'hosting-asns.txt')
  // CDNs carrying ordinary users (iCloud Private Relay, WARP), transit carriers, corporate proxies
  for (const asn of [13335, 20940, 36183, 54113, 174, 6939, 6461, 62044, 16591]) {
    t.notOk(entries.asns.has(asn), `AS${asn} is not a hosting network`)
  }
})
