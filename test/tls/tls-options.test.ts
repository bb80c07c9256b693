import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createTestPki } from '../helpers/certificates.js'
import { buildTestApp } from '../helpers/app.js'
import { TlsFileError, httpsServerOptions, readTlsMaterial } from '../../src/tls/tls-options.js'

t.test('the TLS files are checked before they are served; messages never hold the key', async (t) => {
  const pki = await createTestPki(t)
  const [server, other, expired] = await Promise.all([
    pki.issue('server', { cn: 'localhost', serial: '0B01', san: 'DNS:localhost', usage: 'serverAuth' }),
    pki.issue('other', { cn: 'localhost', serial: '0B02', san: 'DNS:localhost', usage: 'serverAuth' }),
    pki.issue('expired', { cn: 'localhost', serial: '0B03', san: 'DNS:localhost', usage: 'serverAuth', days: -1 })
  ])
  const garbage = path.join(pki.dir, 'garbage.pem')
  writeFileSync(garbage, 'nothing here\n')

  const material = await readTlsMaterial({ certFile: server.cert, keyFile: server.key, client: { caFile: pki.ca.cert, auth: 'optional', keys: [] } })
  t.match(material.certificate, { subject: 'CN=localhost', issuer: 'CN=riskgate test CA', serial: '0B01' })
  t.equal(material.stamps.size, 3, 'the stamp of each file read')
  const options = httpsServerOptions({ certFile: server.cert, keyFile: server.key, client: { caFile: pki.ca.cert, auth: 'optional', keys: [] } }, material)
  t.match(options, { minVersion: 'TLSv1.2', honorCipherOrder: true, requestCert: true, rejectUnauthorized: false })
  for (const cipher of (options.ciphers ?? '').split(':')) {
    t.match(cipher, /^(TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)|ECDHE-(RSA|ECDSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305))$/,
      `${cipher}: TLS 1.3, or ECDHE with AES-GCM or ChaCha20-Poly1305`)
  }
  t.match(httpsServerOptions({ certFile: server.cert, keyFile: server.key, client: { caFile: pki.ca.cert, auth: 'required', keys: [] } }, material), { requestCert: true, rejectUnauthorized: true })
  t.match(httpsServerOptions({ certFile: server.cert, keyFile: server.key }, material), { requestCert: false, rejectUnauthorized: false })

  const keyText = readFileSync(other.key, 'utf8')
  const cases: Array<[string, Parameters<typeof readTlsMaterial>[0], RegExp]> = [
    ['a missing certificate', { certFile: path.join(pki.dir, 'absent.pem'), keyFile: server.key }, /RISKGATE_TLS_CERT_FILE .* cannot be read: ENOENT/],
    ['a certificate file without a certificate', { certFile: garbage, keyFile: server.key }, /RISKGATE_TLS_CERT_FILE .* holds no PEM certificate/],
    ['a key file without a key', { certFile: server.cert, keyFile: garbage }, /RISKGATE_TLS_KEY_FILE .* holds no unencrypted PEM private key/],
    ['another certificate\'s key', { certFile: server.cert, keyFile: other.key }, /is not the key of the certificate/],
    ['an expired certificate', { certFile: expired.cert, keyFile: expired.key }, /expired at/],
    ['a client CA file without a certificate', { certFile: server.cert, keyFile: server.key, client: { caFile: garbage, auth: 'required', keys: [] } }, /RISKGATE_TLS_CLIENT_CA_FILE .* holds no PEM certificate/]
  ]
  for (const [name, config, message] of cases) {
    const err = await readTlsMaterial(config).then(() => undefined, (e: unknown) => e)
    t.type(err, TlsFileError, name)
    t.match((err as Error).message, message, name)
    t.notOk((err as Error).message.includes(keyText.split('\n')[1] as string), 'the message holds no line of a key')
  }

  await t.rejects(buildTestApp(t, { tls: { certFile: server.cert, keyFile: other.key } }), TlsFileError, 'an app is not built on a pair that does not match')
})
