import t from 'tap'
import { once } from 'node:events'
import { copyFileSync, renameSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { buildTestApp } from '../helpers/app.js'
import { createTestPki } from '../helpers/certificates.js'
import { HOST, handshake } from '../helpers/tls-client.js'
import { CertificateEvent } from '../../src/tls/certificate-reload.js'
import type { CertificateInfo } from '../../src/tls/certificate-info.js'

t.test('a renewed certificate is served to new connections without a restart; a broken pair is refused and the old one keeps serving', async (t) => {
  const pki = await createTestPki(t)
  const san = 'IP:127.0.0.1,DNS:localhost'
  const [first, renewed, other] = await Promise.all([
    pki.issue('first', { cn: 'localhost', serial: 'A001', san, usage: 'serverAuth' }),
    pki.issue('renewed', { cn: 'localhost', serial: 'A002', san, usage: 'serverAuth' }),
    pki.issue('other', { cn: 'localhost', serial: 'A003', san, usage: 'serverAuth' })
  ])
  // the files riskgate is configured with, replaced the way renewal tools do: a new file renamed over the old
  const certFile = path.join(pki.dir, 'served.pem')
  const keyFile = path.join(pki.dir, 'served.key')
  const replace = (from: string, to: string): void => {
    copyFileSync(from, `${to}.new`)
    renameSync(`${to}.new`, to)
  }
  replace(first.cert, certFile)
  replace(first.key, keyFile)

  const { app, logs } = await buildTestApp(t, { tls: { certFile, keyFile, reload: { intervalMs: 50, debounceMs: 10 } } })
  await app.listen({ host: HOST, port: 0 })
  const port = (app.server.address() as AddressInfo).port
  const reload = app.tlsCertificate
  if (reload === null) throw new Error('no certificate reload on an HTTPS app')
  const serial = async (): Promise<string | undefined> => {
    const h = await handshake(port, pki.ca.cert)
    return h.ok ? h.serverSerial : h.code
  }
  t.equal(await serial(), 'A001')
  t.equal(reload.current().serial, 'A001')

  // renewal: both files replaced; whatever a check sees in between, the new pair is loaded
  const reloaded = once(reload.events, CertificateEvent.RELOADED) as Promise<[CertificateInfo]>
  replace(renewed.cert, certFile)
  replace(renewed.key, keyFile)
  const [info] = await reloaded
  t.equal(info.serial, 'A002')
  t.equal(await serial(), 'A002', 'a new connection gets the renewed certificate')
  const reloadLine = logs.map((l) => JSON.parse(l) as { msg: string, certificate?: { serial: string } }).find((l) => l.msg === 'TLS certificate reloaded')
  t.equal(reloadLine?.certificate?.serial, 'A002', 'the reload is logged with the new certificate')

  // a key that is not the certificate's: refused, the renewed pair keeps serving
  const refusedKey = once(reload.events, CertificateEvent.REFUSED) as Promise<[Error]>
  replace(other.key, keyFile)
  const [keyError] = await refusedKey
  t.match(keyError.message, /is not the key of the certificate/)
  t.equal(await serial(), 'A002', 'the pair loaded before keeps serving')

  // a certificate file that is no certificate: refused too (the refusal that names it: a check
  // under way may refuse the mismatched pair once more before it)
  const refusedCert = new Promise<Error>((resolve) => {
    const onRefused = (err: Error): void => {
      if (!/RISKGATE_TLS_CERT_FILE/.test(err.message) || !/holds no PEM certificate/.test(err.message)) return
      reload.events.off(CertificateEvent.REFUSED, onRefused)
      resolve(err)
    }
    reload.events.on(CertificateEvent.REFUSED, onRefused)
  })
  writeFileSync(`${certFile}.new`, 'not a certificate\n')
  renameSync(`${certFile}.new`, certFile)
  t.match((await refusedCert).message, /RISKGATE_TLS_CERT_FILE .* holds no PEM certificate/)
  t.equal(await serial(), 'A002')
  const refusals = logs.map((l) => JSON.parse(l) as { msg: string, level: number, reason: string, serving?: { serial: string } }).filter((l) => l.msg.startsWith('TLS certificate replacement refused'))
  t.ok(refusals.some((l) => /is not the key of the certificate/.test(l.reason)) && refusals.some((l) => /holds no PEM certificate/.test(l.reason)), 'both refusals are logged')
  t.ok(refusals.every((l) => l.level === 50 && l.serving?.serial === 'A002'), 'each refusal is an error line naming the certificate still served')

  // and the other pair, complete, is taken
  const again = once(reload.events, CertificateEvent.RELOADED) as Promise<[CertificateInfo]>
  replace(other.cert, certFile)
  t.equal((await again)[0].serial, 'A003')
  t.equal(await serial(), 'A003')
})
