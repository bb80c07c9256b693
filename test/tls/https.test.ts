import t from 'tap'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:tls'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { createTestPki } from '../helpers/certificates.js'
import { HOST, handshake, httpsRequest } from '../helpers/tls-client.js'
import { TLS12_CIPHERS } from '../../src/tls/tls-options.js'

async function listen (app: FastifyInstance): Promise<number> {
  await app.listen({ host: HOST, port: 0 })
  return (app.server.address() as AddressInfo).port
}

t.test('HTTPS: TLS 1.2 and 1.3 with AEAD ciphers in the server\'s order; TLS 1.0, 1.1 and weak ciphers refused', async (t) => {
  const pki = await createTestPki(t)
  const server = await pki.issue('server', { cn: 'localhost', serial: '5E01', san: 'IP:127.0.0.1,DNS:localhost', usage: 'serverAuth', keyType: 'rsa' })
  const { app, logs } = await buildTestApp(t, { tls: { certFile: server.cert, keyFile: server.key } })
  const port = await listen(app)

  // the same certificate behind a TLS server that takes everything OpenSSL can still do: each
  // refused client below is shown to work there, so the refusal is riskgate's settings
  const permissive = createServer({ cert: readFileSync(server.cert), key: readFileSync(server.key), minVersion: 'TLSv1', ciphers: 'ALL@SECLEVEL=0' }, (socket) => socket.end())
  await new Promise<void>((resolve) => permissive.listen(0, HOST, resolve))
  t.teardown(() => permissive.close())
  const permissivePort = (permissive.address() as AddressInfo).port

  const legacy = { ciphers: 'ALL@SECLEVEL=0' }
  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    const client = { ...legacy, minVersion: version, maxVersion: version }
    const control = await handshake(permissivePort, pki.ca.cert, client)
    t.match(control, { ok: true, protocol: version }, `a ${version} client connects to a permissive server`)
    const refused = await handshake(port, pki.ca.cert, client)
    t.match(refused, { ok: false, code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' }, `riskgate refuses ${version}`)
  }

  for (const cipher of ['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384']) {
    const client = { ...legacy, maxVersion: 'TLSv1.2' as const, ciphers: `${cipher}@SECLEVEL=0` }
    const control = await handshake(permissivePort, pki.ca.cert, client)
    t.match(control, { ok: true, cipher }, `${cipher} works with a permissive server`)
    const refused = await handshake(port, pki.ca.cert, client)
    t.match(refused, { ok: false, code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' }, `riskgate refuses ${cipher}`)
  }

  const tls12 = await handshake(port, pki.ca.cert, { maxVersion: 'TLSv1.2' })
  t.match(tls12, { ok: true, protocol: 'TLSv1.2', serverSerial: '5E01' })
  t.ok(tls12.ok && (TLS12_CIPHERS as readonly string[]).includes(tls12.cipher), 'an ECDHE AEAD cipher')
  // the client prefers AES-256; the server's order (AES-128 first) decides
  const order = await handshake(port, pki.ca.cert, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256' })
  t.match(order, { ok: true, cipher: 'ECDHE-RSA-AES128-GCM-SHA256' }, 'the server\'s cipher order is honored')
  const chacha = await handshake(port, pki.ca.cert, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' })
  t.match(chacha, { ok: true, cipher: 'ECDHE-RSA-CHACHA20-POLY1305' })
  const tls13 = await handshake(port, pki.ca.cert, { minVersion: 'TLSv1.3' })
  t.match(tls13, { ok: true, protocol: 'TLSv1.3', cipher: /^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/ })

  const scored = await httpsRequest(port, pki.ca.cert, {
    path: '/v1/score',
    method: 'POST',
    headers: { 'content-type': 'application/json', ...scoreAuth },
    body: JSON.stringify(charge())
  })
  t.equal(scored.status, 200, 'a charge is scored over HTTPS')
  t.match(JSON.parse(scored.body), { decision: /^(allow|review|block)$/ })

  const serving = logs.map((line) => JSON.parse(line) as { msg: string, certificate?: Record<string, string> }).find((l) => l.msg === 'serving HTTPS')
  t.match(serving?.certificate, { subject: 'CN=localhost', issuer: 'CN=riskgate test CA', serial: '5E01', not_after: /^\d{4}-\d\d-\d\dT/ }, 'the certificate served is logged')
  const keyBody = readFileSync(server.key, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('')
  for (const line of logs) {
    t.notMatch(line, /PRIVATE KEY/)
    t.notOk(line.includes(keyBody.slice(0, 40)), 'no line holds the key')
  }
})
