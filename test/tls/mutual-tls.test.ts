import t from 'tap'
import type { Test } from 'tap'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { connect, createServer } from 'node:tls'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, charge, scoreAuth, testConfig } from '../helpers/app.js'
import { createTestPki } from '../helpers/certificates.js'
import type { CertFiles, TestPki } from '../helpers/certificates.js'
import { HOST, httpsRequest } from '../helpers/tls-client.js'
import { parseCertificateKeys } from '../../src/config/tls-env.js'
import type { ClientAuth } from '../../src/tls/tls-config.js'
import { clientCertificateOf } from '../../src/tls/client-certificate.js'
import type { ClientCertificate } from '../../src/tls/client-certificate.js'
import { httpsServerOptions, readTlsMaterial } from '../../src/tls/tls-options.js'

interface Clients { mapped: CertFiles, byDns: CertFiles, analyst: CertFiles, unmapped: CertFiles, wrongCa: CertFiles, expired: CertFiles }

async function setUp (t: Test): Promise<{ pki: TestPki, server: CertFiles, clients: Clients }> {
  const pki = await createTestPki(t)
  const [server, mapped, byDns, analyst, unmapped, wrongCa, expired] = await Promise.all([
    pki.issue('server', { cn: 'localhost', serial: '1000', san: 'IP:127.0.0.1,DNS:localhost', usage: 'serverAuth' }),
    pki.issue('mapped', { cn: 'merchant-a-backend', serial: '2001', usage: 'clientAuth' }),
    pki.issue('by-dns', { cn: 'merchant b', serial: '2002', san: 'DNS:api.merchant-b.example', usage: 'clientAuth' }),
    pki.issue('analyst', { cn: 'analyst-tool', serial: '2003', usage: 'clientAuth' }),
    pki.issue('unmapped', { cn: 'someone-else', serial: '2004', san: 'DNS:api.someone-else.example', usage: 'clientAuth' }),
    pki.issue('wrong-ca', { cn: 'merchant-a-backend', serial: '2005', usage: 'clientAuth' }, pki.otherCa),
    pki.issue('expired', { cn: 'merchant-a-backend', serial: '2006', usage: 'clientAuth', days: -1 })
  ])
  return { pki, server, clients: { mapped, byDns, analyst, unmapped, wrongCa, expired } }
}

async function start (t: Test, pki: TestPki, server: CertFiles, auth: ClientAuth): Promise<{ app: FastifyInstance, port: number, logs: string[] }> {
  const apiKeys = testConfig({}).apiKeys
  const keys = parseCertificateKeys('merchant-a-backend:merchant, DNS:api.merchant-b.example:merchant, analyst-tool:analyst', apiKeys)
  const { app, logs } = await buildTestApp(t, { tls: { certFile: server.cert, keyFile: server.key, client: { caFile: pki.ca.cert, auth, keys } } })
  await app.listen({ host: HOST, port: 0 })
  return { app, port: (app.server.address() as AddressInfo).port, logs }
}

const scoreRequest = (client?: CertFiles, headers: Record<string, string> = {}) => ({
  path: '/v1/score',
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(charge()),
  ...(client !== undefined ? { client } : {})
})

t.test('mutual TLS required: no certificate, another CA\'s or an expired one is refused at the handshake', async (t) => {
  const { pki, server, clients } = await setUp(t)
  const { port } = await start(t, pki, server, 'required')
  const health = { path: '/healthz' }
  await t.rejects(httpsRequest(port, pki.ca.cert, health), { code: /^(ERR_SSL_|ECONNRESET|EPIPE)/ }, 'no certificate')
  await t.rejects(httpsRequest(port, pki.ca.cert, { ...health, client: clients.wrongCa }), { code: /^(ERR_SSL_|ECONNRESET|EPIPE)/ }, 'a certificate of another CA')
  await t.rejects(httpsRequest(port, pki.ca.cert, { ...health, client: clients.expired }), { code: /^(ERR_SSL_|ECONNRESET|EPIPE)/ }, 'an expired certificate of the CA')
  t.equal((await httpsRequest(port, pki.ca.cert, { ...health, client: clients.mapped })).status, 200, 'a certificate of the CA is served')
  t.equal((await httpsRequest(port, pki.ca.cert, { ...health, client: clients.unmapped })).status, 200, 'so is one the mapping does not name')

  const byCertificate = await httpsRequest(port, pki.ca.cert, scoreRequest(clients.mapped))
  t.equal(byCertificate.status, 200, 'the mapped certificate scores without a bearer token')
  const unmapped = await httpsRequest(port, pki.ca.cert, scoreRequest(clients.unmapped))
  t.equal(unmapped.status, 401, 'an unmapped certificate has no scope')
  t.equal(JSON.parse(unmapped.body).error.code, 'unauthorized')
  t.equal((await httpsRequest(port, pki.ca.cert, scoreRequest(clients.unmapped, scoreAuth))).status, 200, 'with a bearer token it scores')
})

t.test('mutual TLS optional: every client is served; a verified, mapped certificate carries its key\'s scopes', async (t) => {
  const { pki, server, clients } = await setUp(t)
  const { port, logs } = await start(t, pki, server, 'optional')
  for (const [name, client] of Object.entries({ none: undefined, ...clients })) {
    t.equal((await httpsRequest(port, pki.ca.cert, { path: '/healthz', ...(client !== undefined ? { client } : {}) })).status, 200, `served: ${name}`)
  }

  const status = async (client?: CertFiles, headers?: Record<string, string>): Promise<number> => (await httpsRequest(port, pki.ca.cert, scoreRequest(client, headers))).status
  t.equal(await status(clients.mapped), 200, 'mapped by its CN: scored without a bearer token')
  t.equal(await status(clients.byDns), 200, 'mapped by a DNS name of its subject alternative names')
  t.equal(await status(), 401, 'no certificate, no token')
  t.equal(await status(undefined, scoreAuth), 200, 'no certificate, a token')
  t.equal(await status(clients.unmapped), 401, 'a verified certificate nobody mapped gets no scope')
  t.equal(await status(clients.wrongCa), 401, 'the mapped CN on another CA\'s certificate is not trusted')
  t.equal(await status(clients.expired), 401, 'nor on an expired certificate of the CA')
  t.equal(await status(clients.analyst), 403, 'mapped to a key without the score scope')
  t.equal(await status(clients.mapped, { authorization: 'Bearer not-a-key' }), 401, 'a bearer token, even a wrong one, decides over the certificate')

  const lines = logs.map((l) => JSON.parse(l) as { msg: string, key_id?: string, auth?: string, res?: { statusCode: number } })
  const completed = lines.filter((l) => l.msg === 'request completed' && l.auth === 'client_certificate')
  t.equal(completed.length, 3, 'requests authenticated by a certificate say so in their log line')
  t.same(completed.map((l) => l.key_id).sort(), ['analyst', 'merchant', 'merchant'])
})

t.test('optional: the server knows whether the client presented a certificate, and whether it verified', async (t) => {
  const { pki, server, clients } = await setUp(t)
  const config = { certFile: server.cert, keyFile: server.key, client: { caFile: pki.ca.cert, auth: 'optional' as const, keys: [] } }
  const seen: Array<ClientCertificate | null> = []
  const tlsServer = createServer(httpsServerOptions(config, await readTlsMaterial(config)), (socket) => {
    seen.push(clientCertificateOf(socket))
    t.equal(clientCertificateOf(socket), seen[seen.length - 1], 'read once per connection')
    socket.end('bye')
  })
  await new Promise<void>((resolve) => tlsServer.listen(0, HOST, resolve))
  t.teardown(() => tlsServer.close())
  const port = (tlsServer.address() as AddressInfo).port
  const talk = async (client?: CertFiles): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      const socket = connect({
        host: HOST,
        port,
        ca: readFileSync(pki.ca.cert),
        ...(client !== undefined ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {})
      })
      socket.on('data', () => {})
      socket.once('end', () => resolve())
      socket.once('error', reject)
    })
  }
  await talk()
  await talk(clients.mapped)
  await talk(clients.wrongCa)
  await talk(clients.expired)
  t.same(seen, [
    { presented: false, verified: false },
    { presented: true, verified: true, cn: 'merchant-a-backend' },
    { presented: true, verified: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', cn: 'merchant-a-backend' },
    { presented: true, verified: false, error: 'CERT_HAS_EXPIRED', cn: 'merchant-a-backend' }
  ])
  t.equal(clientCertificateOf({ encrypted: undefined }), null, 'a plain connection has none')
})
