import t from 'tap'
import type { Test } from 'tap'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseTorExits } from '../../src/signals/ip/tor-exits.js'
import { runCaptured } from '../helpers/cli-io.js'

// A local stand-in for check.torproject.org on 127.0.0.1: never the internet.
const ADDRESSES = Array.from({ length: 150 }, (_, i) => `185.220.${100 + Math.floor(i / 100)}.${i % 100 + 1}`)
ADDRESSES.push('2a0b:f4c2::1', '2001:67c:e60:c0c:192:42:116:16')
const GOOD = ADDRESSES.join('\n') + '\n'
const OLD = '# the list in place before\n185.220.101.1\n'

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/good': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(GOOD) },
  '/crlf': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end(GOOD.replaceAll('\n', '\r\n')) },
  '/redirect': (_req, res) => { res.writeHead(302, { location: '/good' }).end() },
  '/html': (_req, res) => { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><body>Just a moment...</body></html>') },
  '/html-as-text': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('\n<html><body>captive portal</body></html>\n') },
  '/empty': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end() },
  '/blank': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('\n  \n') },
  '/few': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end(ADDRESSES.slice(0, 5).join('\n')) },
  '/garbage': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end(`${ADDRESSES.slice(0, 120).join('\n')}\nrate limit exceeded, try later\n`) },
  '/cut-line': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end(`${ADDRESSES.slice(0, 120).join('\n')}\n185.220.1`) },
  '/missing': (_req, res) => { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found') },
  '/error': (_req, res) => { res.writeHead(503).end() },
  '/huge': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end(GOOD.repeat(50)) },
  '/huge-chunked': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }) // no content-length: counted while reading
    for (let i = 0; i < 50; i++) res.write(GOOD)
    res.end()
  },
  '/truncated': (_req, res) => {
    // promises more than it sends, then drops the connection
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(GOOD.length * 2) })
    res.write(GOOD)
    setImmediate(() => res.socket?.destroy())
  },
  '/slow': (_req, res) => {
    // starts the answer, then never finishes it
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write(ADDRESSES.slice(0, 10).join('\n'))
  },
  '/no-headers': () => { /* never answers at all */ }
}

const server = createServer((req, res) => {
  const route = routes[req.url ?? '']
  if (route === undefined) res.writeHead(404).end()
  else route(req, res)
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
t.teardown(() => {
  server.closeAllConnections()
  server.close()
})

const cli = runCaptured

function setup (t: Test): { dir: string, file: string } {
  const dir = t.testdir({ 'tor-exits.txt': OLD })
  return { dir, file: join(dir, 'tor-exits.txt') }
}

t.test('a good list replaces the file; a running riskgate can read it', async (t) => {
  const { dir, file } = setup(t)
  const run = await cli(['data', 'update-tor', '--url', `${base}/good`, '--out', file])
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, new RegExp(`tor-exits\\.txt: ${ADDRESSES.length} Tor exit addresses \\(was 1\\) from ${base}/good`))
  const written = readFileSync(file, 'utf8')
  t.match(written, /^# Tor bulk exit list\n# source: http:\/\/127\.0\.0\.1:\d+\/good\n# downloaded: \d{4}-\d\d-\d\dT[^\n]+\n# addresses: 152\n/)
  t.same([...parseTorExits(written)].sort(), [...ADDRESSES].sort())
  t.same(readdirSync(dir), ['tor-exits.txt'], 'no temporary file left')
})

t.test('the target comes from RISKGATE_TOR_EXITS_FILE, relative to the working directory', async (t) => {
  const { dir, file } = setup(t)
  const run = await cli(['data', 'update-tor', '--url', `${base}/redirect`], { RISKGATE_TOR_EXITS_FILE: 'tor-exits.txt' }, dir)
  t.equal(run.code, 0, run.stderr)
  t.equal(parseTorExits(readFileSync(file, 'utf8')).size, ADDRESSES.length, 'redirects are followed')
})

t.test('CRLF line ends are fine', async (t) => {
  const { file } = setup(t)
  t.equal((await cli(['data', 'update-tor', '--url', `${base}/crlf`, '--out', file])).code, 0)
})

const refused: Array<[string, string[], number, RegExp]> = [
  ['an HTML page', ['/html'], 1, /refused the download: the answer is text\/html; charset=utf-8, not a plain address list/],
  ['HTML sent as text/plain', ['/html-as-text'], 1, /refused the download: the answer is an HTML or XML page/],
  ['an empty body', ['/empty'], 1, /refused the download: the answer is empty/],
  ['a blank body', ['/blank'], 1, /the answer is empty/],
  ['too few addresses', ['/few'], 1, /only 5 addresses, fewer than the 100 required \(--min-addresses\)/],
  ['a line that is not an address', ['/garbage'], 1, /line 121 is not an IP address/],
  ['a list cut in the middle of a line', ['/cut-line'], 1, /line 121 is not an IP address/],
  ['a 404', ['/missing'], 3, /download failed: HTTP 404 Not Found/],
  ['a 503', ['/error'], 3, /download failed: HTTP 503/],
  ['an answer over the size limit (Content-Length)', ['/huge', '--max-bytes', '10000'], 1, /over the 10000-byte limit \(--max-bytes\)/],
  ['an answer over the size limit (chunked)', ['/huge-chunked', '--max-bytes', '10000'], 1, /over the 10000-byte limit/],
  ['a connection dropped before the end', ['/truncated'], 3, /download failed: /],
  ['an answer that stalls', ['/slow', '--timeout', '0.3'], 3, /download failed: no complete answer within 0\.3 s \(--timeout\)/],
  ['no answer at all', ['/no-headers', '--timeout', '0.3'], 3, /no complete answer within 0\.3 s/]
]

for (const [name, [path, ...extra], code, message] of refused) {
  t.test(`${name}: refused, the old file stays`, async (t) => {
    const { dir, file } = setup(t)
    const run = await cli(['data', 'update-tor', '--url', `${base}${path ?? ''}`, '--out', file, ...extra])
    t.equal(run.code, code)
    t.match(run.stderr, message)
    t.match(run.stderr, /tor-exits\.txt was left as it was/)
    t.equal(run.stdout, '')
    t.equal(readFileSync(file, 'utf8'), OLD, 'the old list is untouched')
    t.same(readdirSync(dir), ['tor-exits.txt'], 'no temporary file left')
  })
}

t.test('--min-addresses lowers the bar', async (t) => {
  const { file } = setup(t)
  const run = await cli(['data', 'update-tor', '--url', `${base}/few`, '--out', file, '--min-addresses', '5'])
  t.equal(run.code, 0, run.stderr)
  t.equal(parseTorExits(readFileSync(file, 'utf8')).size, 5)
})

t.test('a folder that does not exist: nothing written, exit 3', async (t) => {
  const { dir } = setup(t)
  const run = await cli(['data', 'update-tor', '--url', `${base}/good`, '--out', join(dir, 'nope', 'tor.txt')])
  t.equal(run.code, 3)
  t.match(run.stderr, /failed: cannot write .*nope\/tor\.txt/)
})

t.test('usage errors', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['data', 'update-tor'], /set RISKGATE_TOR_EXITS_FILE or pass --out <file>/],
    [['data', 'update-tor', '--out', 'x', '--timeout', '0'], /--timeout must be a positive number/],
    [['data', 'update-tor', '--out', 'x', '--max-bytes', '1.5'], /--max-bytes must be a positive integer/],
    [['data', 'update-tor', '--out', 'x', '--min-addresses', 'many'], /--min-addresses must be a positive integer/],
    [['data', 'update-tor', '--out', 'x', '--url', 'ftp://example.org/list'], /--url must be http or https/],
    [['data', 'update-tor', '--out', 'x', '--url', 'not a url'], /--url is not a URL/],
    [['data', 'update-tor', '--bogus'], /Unknown option '--bogus'/]
  ]
  for (const [argv, message] of cases) {
    const run = await cli(argv)
    t.equal(run.code, 2, argv.join(' '))
    t.match(run.stderr, message)
  }
  const bad = await cli(['data', 'update-tor'], { RISKGATE_TOR_MAX_AGE_DAYS: 'soon' })
  t.equal(bad.code, 2)
  t.match(bad.stderr, /invalid configuration/)
})

t.test('--help', async (t) => {
  const run = await cli(['data', 'update-tor', '--help'])
  t.equal(run.code, 0)
  t.match(run.stdout, /https:\/\/check\.torproject\.org\/torbulkexitlist/)
  t.match(run.stdout, /exit codes: 0 replaced, 1 refused/)
})

t.test('the file written is the one a running riskgate reloads', async (t) => {
  const { file } = setup(t)
  writeFileSync(file, OLD)
  t.equal((await cli(['data', 'update-tor', '--url', `${base}/good`, '--out', file])).code, 0)
  const { loadTorExits } = await import('../../src/signals/ip/tor-exits.js')
  const list = await loadTorExits(file)
  t.equal(list.size, ADDRESSES.length)
  t.ok(list.has('185.220.100.1'))
})
