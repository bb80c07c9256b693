import t from 'tap'
import { gzipSync } from 'node:zlib'
import { readTarGz } from '../../src/data/update/archive.js'
import { checkSri, parseSha256Line, sha256Hex } from '../../src/data/update/integrity.js'
import { UpdateRefused } from '../../src/data/update/outcome.js'
import { findEntry, readTar, TarError } from '../../src/data/update/ustar.js'
import { sha256, sri, tar } from '../helpers/tarball.js'

t.test('ustar: regular files with their paths; long names through the prefix field', async (t) => {
  const long = `${'deep/'.repeat(30)}GeoLite2-ASN.mmdb`
  const entries = readTar(tar({ 'package/package.json': '{}', 'package/asn-ipv4.csv': 'x'.repeat(513), [long]: Buffer.from([1, 2, 3]) }))
  t.same(entries.map((e) => e.name), ['package/package.json', 'package/asn-ipv4.csv', long])
  t.equal(entries[1]?.data.length, 513)
  t.same(findEntry(entries, 'GeoLite2-ASN.mmdb')?.data, Buffer.from([1, 2, 3]))
  t.equal(findEntry(entries, 'ipv4.csv'), undefined, 'a whole file name, not a suffix of one')
})

t.test('ustar: pax and GNU long names; folders and links skipped', async (t) => {
  const paxRecord = (value: string): string => {
    const body = ` path=${value}\n`
    let length = body.length + 1
    while (String(length).length + body.length !== length) length = String(length).length + body.length
    return `${length}${body}`
  }
  const archive = tar({ 'PaxHeader/x': paxRecord('package/a-very-long-name.csv'), 'short.csv': 'data', 'dir/': '' })
  // mark the first entry as a pax header and the last as a folder, fixing their checksums
  const patched = Buffer.from(archive)
  const retype = (offset: number, type: string): void => {
    patched.write(type, offset + 156, 'latin1')
    patched.write('        ', offset + 148, 'latin1')
    let sum = 0
    for (let i = 0; i < 512; i++) sum += patched[offset + i] as number
    patched.write(sum.toString(8).padStart(6, '0') + '\0 ', offset + 148, 'latin1')
  }
  retype(0, 'x')
  retype(512 * 4, '5') // pax header + its data, short.csv + its data, then the folder
  const entries = readTar(patched)
  t.same(entries.map((e) => [e.name, e.data.toString()]), [['package/a-very-long-name.csv', 'data']])
})

t.test('ustar: damage is an error, not fewer files', async (t) => {
  const archive = tar({ 'a.txt': 'hello', 'b.txt': 'world' })
  const flipped = Buffer.from(archive)
  flipped[600] = 0x41 // inside a.txt's data: still fine
  t.equal(readTar(flipped).length, 2)
  const badHeader = Buffer.from(archive)
  badHeader[1024 + 3] = 0x7e // inside b.txt's header (its name)
  t.throws(() => readTar(badHeader), TarError)
  t.throws(() => readTar(archive.subarray(0, 1024 + 100)), /ends inside a header/)
  t.throws(() => readTar(archive.subarray(0, 512)), /the archive is truncated: an entry at byte 0 needs 5 bytes/)
})

t.test('tar.gz: not gzip, not tar', async (t) => {
  await t.rejects(readTarGz(Buffer.from('<html>'), 'the download'), UpdateRefused)
  await t.rejects(readTarGz(Buffer.from('<html>'), 'the download'), /the download is not a gzip archive/)
  await t.rejects(readTarGz(gzipSync(Buffer.alloc(512, 0x33)), 'the download'), /the download is not a valid tar archive/)
  t.same((await readTarGz(gzipSync(tar({ 'x/y.mmdb': 'z' })), 'x')).map((e) => e.name), ['x/y.mmdb'])
})

t.test('SRI: sha512 verified, the strongest algorithm named wins, sha1 alone is not enough', async (t) => {
  const data = Buffer.from('the tarball')
  const other = Buffer.from('another tarball')
  t.same(checkSri(data, sri(data)), { ok: true, algorithm: 'sha512' })
  t.match(checkSri(data, sri(other)), { ok: false, message: /the sha512 digest does not match/ })
  t.same(checkSri(data, `${sri(other)} ${sri(data)}`), { ok: true, algorithm: 'sha512' }, 'any hash of the algorithm may match')
  const sha256Sri = `sha256-${Buffer.from(sha256(data), 'hex').toString('base64')}`
  t.same(checkSri(data, `${sha256Sri} ${sri(other)}`).ok, false, 'a weaker matching hash does not excuse a strong mismatching one')
  t.same(checkSri(data, sha256Sri), { ok: true, algorithm: 'sha256' })
  t.match(checkSri(data, 'sha1-AAAA'), { ok: false, message: /no sha512, sha384 or sha256 hash/ })
  t.match(checkSri(data, ''), { ok: false })
})

t.test('MaxMind .sha256 lines', async (t) => {
  const hex = sha256Hex(Buffer.from('x'))
  t.equal(parseSha256Line(`${hex}  GeoLite2-ASN_20261201.tar.gz\n`), hex)
  t.equal(parseSha256Line(`${hex.toUpperCase()}\n`), hex)
  t.equal(parseSha256Line('<html>rate limited</html>'), undefined)
  t.equal(parseSha256Line(hex.slice(1)), undefined)
})
