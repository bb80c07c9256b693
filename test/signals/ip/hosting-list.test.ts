import t from 'tap'
import { join } from 'node:path'
import { HostingListError, loadHostingLists, parseHostingList } from '../../../src/signals/ip/hosting-list.js'
import { normalizeIp } from '../../../src/signals/ip/normalize.js'
import type { NormalizedIp } from '../../../src/signals/ip/normalize.js'

function ip (text: string): NormalizedIp {
  const parsed = normalizeIp(text)
  if (!parsed.ok) throw new Error(`bad test address ${text}`)
  return parsed
}

t.test('ASNs and networks with provider comments', async (t) => {
  const { entries, count } = parseHostingList([
    '# header comment',
    '16509    # Amazon AWS',
    'AS14061  # DigitalOcean',
    'as24940',
    '',
    '203.0.113.0/24   # an operator network',
    '2001:db8:100::/40',
    '198.51.100.7'
  ].join('\n'), 'list.txt')
  t.equal(count, 6)
  t.same([...entries.asns.entries()], [[16509, 'Amazon AWS'], [14061, 'DigitalOcean'], [24940, '']])
  t.same(entries.networks.map((n) => [n.cidr.prefixLength, n.label]), [[24, 'an operator network'], [40, ''], [32, '']])
})

t.test('a bad line is refused with its line number', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['16509\nAmazon\n', /^list\.txt:2: expected an AS number or a CIDR network/],
    ['AS0\n', /^list\.txt:1: AS number out of range/],
    ['4294967296\n', /^list\.txt:1: AS number out of range/],
    ['10.0.0.1/8\n', /^list\.txt:1: expected an AS number or a CIDR/],
    ['16509 14618\n', /^list\.txt:1: expected/]
  ]
  for (const [text, message] of cases) t.throws(() => parseHostingList(text, 'list.txt'), message, JSON.stringify(text))
  t.throws(() => parseHostingList('x', 'list.txt'), HostingListError)
})

t.test('several files merge; networks are matched for IPv4 and IPv6', async (t) => {
  const dir = t.testdir({
    'bundled.txt': '16509 # Amazon AWS\n14061 # DigitalOcean\n',
    'operator.txt': '# our own findings\n64500\n203.0.113.0/24\n2001:db8:100::/40\n'
  })
  const list = await loadHostingLists([join(dir, 'bundled.txt'), join(dir, 'operator.txt')])
  t.equal(list.asnCount, 3)
  t.equal(list.networkCount, 2)
  t.ok(list.hasAsn(16509))
  t.ok(list.hasAsn(64500))
  t.notOk(list.hasAsn(15169))
  const inNetworks = list.inNetworks
  if (inNetworks === undefined) throw new Error('expected a network matcher')
  t.ok(inNetworks(ip('203.0.113.77')))
  t.ok(inNetworks(ip('::ffff:203.0.113.77')))
  t.notOk(inNetworks(ip('203.0.114.1')))
  t.ok(inNetworks(ip('2001:db8:1ff:ffff::1')))
  t.notOk(inNetworks(ip('2001:db8:200::1')))
  t.same(list.sources.map((s) => [s.name, s.kind, s.entries]), [['hosting', 'list', 2], ['hosting', 'list', 3]])

  const asnsOnly = await loadHostingLists([join(dir, 'bundled.txt')])
  t.equal(asnsOnly.inNetworks, undefined, 'without networks the lists say nothing about an address')
  await t.rejects(loadHostingLists([join(dir, 'nope.txt')]), /hosting list .*nope\.txt: file not found/)
})
