import t from 'tap'
import { join } from 'node:path'
import { IpDataError } from '../../../src/signals/ip/data-source.js'
import { loadTorExits, parseTorExits, TorListError } from '../../../src/signals/ip/tor-exits.js'

t.test('the bulk exit list: one address a line, comments and blank lines', async (t) => {
  const set = parseTorExits([
    '# Tor bulk exit list',
    '185.220.101.1',
    '',
    '   185.220.101.2   ',
    '2001:0DB8:0000:0000:0000:0000:0000:0001 # an IPv6 exit',
    '::ffff:198.51.100.9',
    '185.220.101.1'
  ].join('\r\n'))
  t.same([...set].sort(), ['185.220.101.1', '185.220.101.2', '198.51.100.9', '2001:db8::1'])
})

t.test('the exit-addresses format', async (t) => {
  const set = parseTorExits([
    'ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E',
    'Published 2026-11-20 09:50:05',
    'LastStatus 2026-11-21 10:00:00',
    'ExitAddress 162.247.74.201 2026-11-21 10:05:21'
  ].join('\n'))
  t.same([...set], ['162.247.74.201'])
})

t.test('a bad line is refused with its line number', async (t) => {
  t.throws(() => parseTorExits('1.2.3.4\nnot-an-ip\n', 'exits.txt'), { name: 'TorListError', message: /^exits\.txt:2: not an IP address$/ })
  t.throws(() => parseTorExits('1.2.3.4 5.6.7.8\n', 'exits.txt'), /exits\.txt:1: expected one IP address a line/)
  t.throws(() => parseTorExits('10.0.0.0/8\n'), TorListError)
})

t.test('loading gives membership by normalized address and provenance', async (t) => {
  const dir = t.testdir({ 'exits.txt': '# list\n185.220.101.1\n2001:db8::1\n' })
  const list = await loadTorExits(join(dir, 'exits.txt'))
  t.equal(list.size, 2)
  t.ok(list.has('185.220.101.1'))
  t.ok(list.has('2001:db8::1'))
  t.notOk(list.has('185.220.101.3'))
  t.equal(list.source.name, 'tor_exits')
  t.equal(list.source.kind, 'list')
  t.equal(list.source.entries, 2)
  t.equal(list.source.built_at_source, 'file_mtime')
  t.ok(!Number.isNaN(Date.parse(list.source.built_at)))
  await t.rejects(loadTorExits(join(dir, 'missing.txt')), IpDataError)
  await t.rejects(loadTorExits(join(dir, 'missing.txt')), /tor exit list .*missing\.txt: file not found/)
})
