import t from 'tap'
import type { Test } from 'tap'
import { once } from 'node:events'
import { connect } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { PassThrough } from 'node:stream'
import { createHmac } from 'node:crypto'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { Value } from 'typebox/value'
import { buildApp } from '../../src/app.js'
import { ErrorCode, RiskgateError } from '../../src/errors.js'
import { ErrorResponseSchema } from '../../src/schemas/error.js'
import { errorHandlerPlugin, errorShapeServerOptions, MAX_PARAM_LENGTH } from '../../src/plugins/error-handler.js'
import { MAX_DETAILS, errorResponse } from '../../src/http-errors/error-response.js'
import { onClientError } from '../../src/http-errors/client-error.js'
import { SCORE_SECRET, analystAuth, buildTestApp, charge, scoreAuth, testConfig, testData } from '../helpers/app.js'

// Every answer riskgate gives, including those Fastify, Node's HTTP parser and the plugins would
// give by themselves, is `{ error: { code, message, details? } }` with a stable code, and never
// quotes what the client sent (path, header, body).

/** a string no answer may contain: it stands for the client's input */
const MARK = 'ZqXinputMARKERvW'

interface Answer { statusCode: number, headers: Record<string, string | number | string[] | undefined>, body: string }

/** Checks one error answer: status, content type, the schema of the one shape, its code; the input not echoed. */
function assertError (t: Test, res: Answer, statusCode: number, code: string, echoes: readonly string[] = [MARK]): Record<string, unknown> {
  t.equal(res.statusCode, statusCode, `status ${statusCode}`)
  t.match(String(res.headers['content-type']), /^application\/json/, 'JSON')
  const body = JSON.parse(res.body) as { error: { code: string, message: string, details?: unknown[] } }
  t.ok(Value.Check(ErrorResponseSchema, body), `the one error shape: ${res.body.slice(0, 200)}`)
  t.equal(body.error.code, code, `code ${code}`)
  t.ok((Object.values(ErrorCode) as string[]).includes(body.error.code), 'a code of src/errors.ts')
  for (const input of echoes) t.notOk(res.body.includes(input), `the input is not echoed (${input.slice(0, 20)})`)
  if (statusCode >= 500) t.equal(body.error.details, undefined, 'no details on a 5xx')
  return body.error
}

t.test('errors Fastify, its router and its body parsers answer by themselves', async (t) => {
  const { app } = await buildTestApp(t)
  const long = MARK + 'a'.repeat(300)

  t.test('a path parameter over the router limit: 414', async (t) => {
    for (const headers of [analystAuth, {}]) {
      const res = await app.inject({ method: 'GET', url: `/v1/decisions/${long}`, headers })
      const error = assertError(t, res, 414, ErrorCode.URI_TOO_LONG, [MARK, 'aaaaaaaaaa'])
      t.match(error.message, String(MAX_PARAM_LENGTH))
    }
    const outcome = await app.inject({ method: 'POST', url: `/v1/decisions/${long}/outcome`, headers: scoreAuth, payload: { label: 'fraud' } })
    assertError(t, outcome, 414, ErrorCode.URI_TOO_LONG, [MARK])
  })

  t.test('malformed percent-encoding: 400 invalid_url, on a route, an unknown path and under /docs', async (t) => {
    for (const url of [`/v1/decisions/${MARK}%E0%A4%A`, `/no-such-${MARK}/%zz`, `/docs/static/${MARK}%E0%A4%A`]) {
      const res = await app.inject({ method: 'GET', url, headers: analystAuth })
      assertError(t, res, 400, ErrorCode.INVALID_URL, [MARK, '%E0', '%zz'])
    }
  })

  t.test('an unknown route: 404; a known path with another method: 405 and Allow', async (t) => {
    assertError(t, await app.inject({ method: 'GET', url: `/v1/${MARK}?q=${MARK}` }), 404, ErrorCode.NOT_FOUND)
    assertError(t, await app.inject({ method: 'PROPFIND', url: `/${MARK}` }), 404, ErrorCode.NOT_FOUND)
    const cases: Array<[string, string, string]> = [
      ['GET', '/v1/score', 'POST'],
      ['DELETE', '/v1/score', 'POST'],
      ['OPTIONS', '/v1/score', 'POST'],
      ['PROPFIND', '/healthz', 'GET, HEAD'],
      ['PUT', `/v1/decisions/dec_${MARK}`, 'GET, HEAD'],
      ['GET', `/v1/decisions/dec_${MARK}/outcome`, 'POST'],
      ['POST', '/docs/json', 'GET, HEAD']
    ]
    for (const [method, url, allow] of cases) {
      const res = await app.inject({ method: method as 'GET', url, headers: scoreAuth })
      assertError(t, res, 405, ErrorCode.METHOD_NOT_ALLOWED, [MARK, method === 'GET' ? MARK : method])
      t.equal(res.headers.allow, allow, `${method} ${url.slice(0, 30)}: Allow ${allow}`)
    }
  })

  t.test('content-type parsing: 415, invalid JSON, empty body, prototype poisoning, Content-Length mismatch', async (t) => {
    const post = async (headers: Record<string, string>, payload: string): Promise<Answer> =>
      await app.inject({ method: 'POST', url: '/v1/score', headers: { ...scoreAuth, ...headers }, payload })
    assertError(t, await post({ 'content-type': 'text/plain' }, MARK), 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE)
    assertError(t, await post({ 'content-type': `application/${MARK}` }, '{}'), 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE)
    assertError(t, await post({ 'content-type': `;;${MARK};;` }, '{}'), 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE)
    assertError(t, await post({ 'content-type': 'application/json' }, `{"charge_id":"${MARK}`), 400, ErrorCode.INVALID_JSON)
    assertError(t, await post({ 'content-type': 'application/json' }, ''), 400, ErrorCode.INVALID_JSON)
    assertError(t, await post({ 'content-type': 'application/json' }, `{"__proto__":{"${MARK}":1}}`), 400, ErrorCode.INVALID_JSON)
    assertError(t, await post({ 'content-type': 'application/json' }, `{"constructor":{"prototype":{"${MARK}":1}}}`), 400, ErrorCode.INVALID_JSON)
    assertError(t, await post({ 'content-type': 'application/json', 'content-length': '5' }, `{"a":"${MARK}"}`), 400, ErrorCode.BAD_REQUEST)
  })

  t.test('a body over the route limit: 413 naming the limit', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/v1/score', headers: scoreAuth, payload: { ...charge(), description: MARK.repeat(2000) } })
    t.match(assertError(t, res, 413, ErrorCode.BODY_TOO_LARGE).message, /16 KiB/)
  })

  t.test('too many parameters: a short answer, and a field name that is not plain is not repeated', async (t) => {
    const query = Array.from({ length: 2000 }, (_, i) => `p${i}=${MARK}`).join('&')
    const res = await app.inject({ method: 'GET', url: `/v1/decisions/export?${query}`, headers: analystAuth })
    const error = assertError(t, res, 400, ErrorCode.UNKNOWN_FIELD)
    t.equal((error.details as unknown[]).length, MAX_DETAILS + 1, 'at most MAX_DETAILS details and a count of the rest')
    t.match((error.details as Array<{ message: string }>).at(-1)?.message, /1980 more/)

    for (const name of ['4111111111111111', `${MARK}_${'x'.repeat(60)}`, 'sk_live_123456789', 'a b']) {
      const body = await app.inject({ method: 'POST', url: '/v1/score', headers: scoreAuth, payload: { ...charge(), [name]: 1 } })
      // a field named by a card number is refused as card data, before the schema says it is unknown
      assertError(t, body, 400, name === '4111111111111111' ? ErrorCode.CARD_DATA_NOT_ALLOWED : ErrorCode.UNKNOWN_FIELD, [name])
      const q = await app.inject({ method: 'GET', url: `/v1/decisions/export?${encodeURIComponent(name)}=1`, headers: analystAuth })
      assertError(t, q, 400, ErrorCode.UNKNOWN_FIELD, [name, encodeURIComponent(name)])
    }
    const plain = await app.inject({ method: 'POST', url: '/v1/score', headers: scoreAuth, payload: { ...charge(), coupon: 'x' } })
    t.same(assertError(t, plain, 400, ErrorCode.UNKNOWN_FIELD, []).details, [{ path: '/coupon', message: 'unknown field' }], 'a plain field name is named')
  })

  t.test('errors of @fastify/swagger-ui and its static files under /docs', async (t) => {
    assertError(t, await app.inject({ method: 'GET', url: `/docs/static/${MARK}.js` }), 404, ErrorCode.NOT_FOUND)
    assertError(t, await app.inject({ method: 'GET', url: `/docs/static/%2e%2e/%2e%2e/${MARK}` }), 404, ErrorCode.NOT_FOUND)
    // a NUL byte in the path: @fastify/static refuses it before looking anything up
    assertError(t, await app.inject({ method: 'GET', url: `/docs/static/${MARK}%00.js` }), 400, ErrorCode.BAD_REQUEST)
    assertError(t, await app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css', headers: { range: 'bytes=999999999-' } }),
      416, ErrorCode.RANGE_NOT_SATISFIABLE, ['999999999'])
    assertError(t, await app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css', headers: { 'if-match': `"${MARK}"` } }),
      412, ErrorCode.PRECONDITION_FAILED)
    const ok = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css', headers: { range: 'bytes=0-9' } })
    t.equal(ok.statusCode, 206, 'the UI itself still works')
  })
})

t.test('the Omise webhook route, with its own raw body parser', async (t) => {
  const secret = Buffer.from('riskgate-error-shape-test-secret-32b')
  const { app } = await buildTestApp(t, { omiseWebhookSecrets: [secret] })
  const deliver = async (payload: string, headers: Record<string, string> = {}): Promise<Answer> => {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex')
    return await app.inject({
      method: 'POST',
      url: '/v1/webhooks/omise',
      headers: { 'content-type': 'application/json', 'omise-signature': signature, 'omise-signature-timestamp': timestamp, ...headers },
      payload
    })
  }
  t.match(assertError(t, await deliver(`{"id":"${MARK}"}`.padEnd(300 * 1024, ' ')), 413, ErrorCode.BODY_TOO_LARGE).message, /256 KiB/)
  assertError(t, await deliver(MARK, { 'content-type': 'text/plain' }), 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE)
  assertError(t, await deliver(`{"id":"${MARK}"}`, { 'content-length': '4' }), 400, ErrorCode.BAD_REQUEST)
  assertError(t, await deliver(`{"id":"${MARK}"`), 400, ErrorCode.INVALID_JSON)
  assertError(t, await deliver(`{"id":"${MARK}"}`, { 'omise-signature': MARK }), 401, ErrorCode.WEBHOOK_SIGNATURE_INVALID)
})

/** Reads HTTP/1.1 responses off a raw connection, one after the other (a 100 Continue counts as one). */
function responses (socket: Socket): () => Promise<Answer> {
  let buffer = Buffer.alloc(0)
  let ended = false
  let wake: (() => void) | undefined
  socket.on('data', (chunk: Buffer) => { buffer = Buffer.concat([buffer, chunk]); wake?.() })
  socket.on('close', () => { ended = true; wake?.() })
  const parse = (): Answer | undefined => {
    const end = buffer.indexOf('\r\n\r\n')
    if (end === -1) return undefined
    const [status = '', ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n')
    const headers: Record<string, string> = {}
    for (const line of lines) {
      const i = line.indexOf(':')
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
    }
    const statusCode = Number(status.split(' ')[1])
    const length = statusCode === 100 ? 0 : Number(headers['content-length'] ?? 0)
    if (buffer.length < end + 4 + length) return undefined
    const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8')
    buffer = buffer.subarray(end + 4 + length)
    return { statusCode, headers, body }
  }
  return async () => {
    for (;;) {
      const answer = parse()
      if (answer !== undefined) return answer
      if (ended) throw new Error(`the connection closed before a whole response (${buffer.length} bytes left)`)
      await new Promise<void>((resolve) => { wake = resolve })
    }
  }
}

async function connection (port: number): Promise<{ socket: Socket, next: () => Promise<Answer> }> {
  const socket = connect(port, '127.0.0.1')
  const next = responses(socket)
  await once(socket, 'connect')
  return { socket, next }
}

async function listening (t: Test): Promise<{ app: FastifyInstance, port: number }> {
  const app = await buildApp(testConfig(testData(t)), { logStream: { write: () => {} } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, port: (app.server.address() as AddressInfo).port }
}

t.test('what Node\'s HTTP parser refuses, on a real connection', async (t) => {
  const { app, port } = await listening(t)
  t.teardown(() => app.close())

  t.test('headers over the size limit: 431', async (t) => {
    const { socket, next } = await connection(port)
    socket.write(`GET /healthz HTTP/1.1\r\nHost: riskgate\r\nX-Big: ${MARK}${'b'.repeat(20 * 1024)}\r\n\r\n`)
    const res = await next()
    assertError(t, res, 431, ErrorCode.HEADERS_TOO_LARGE, [MARK, 'bbbbbbbbbb'])
    t.equal(res.headers.connection, 'close')
  })

  t.test('a request line over the size limit: 431', async (t) => {
    const { socket, next } = await connection(port)
    socket.write(`GET /healthz?q=${MARK}${'c'.repeat(20 * 1024)} HTTP/1.1\r\nHost: riskgate\r\n\r\n`)
    assertError(t, await next(), 431, ErrorCode.HEADERS_TOO_LARGE, [MARK, 'cccccccccc'])
  })

  t.test('not HTTP: 400 bad_request', async (t) => {
    for (const raw of [`${MARK} / HTTP/1.1\r\n\r\n`, `GET /healthz HTTP/1.1\r\nHost: riskgate\r\nX-${MARK}\r\n\r\n`, `POST /v1/score HTTP/1.1\r\nHost: riskgate\r\nContent-Length: ${MARK}\r\n\r\n`]) {
      const { socket, next } = await connection(port)
      socket.write(raw)
      assertError(t, await next(), 400, ErrorCode.BAD_REQUEST)
    }
  })

  t.test('a long path parameter on the wire: 414, the path not echoed', async (t) => {
    const { socket, next } = await connection(port)
    socket.write(`GET /v1/decisions/${MARK}${'d'.repeat(300)} HTTP/1.1\r\nHost: riskgate\r\n\r\n`)
    assertError(t, await next(), 414, ErrorCode.URI_TOO_LONG, [MARK, 'dddddddddd'])
    socket.destroy()
  })
})

t.test('a request timeout and a reset connection, as the clientError handler sees them', async (t) => {
  const written: string[] = []
  const socket = new PassThrough()
  socket.on('data', (chunk: Buffer) => { written.push(chunk.toString('utf8')) })
  socket.on('error', () => {})
  const log = { debug: () => {} }
  onClientError.call({ log }, Object.assign(new Error(`timeout ${MARK}`), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket)
  t.ok(socket.destroyed, 'the connection is closed')
  const [head = '', body = ''] = written.join('').split('\r\n\r\n')
  t.match(head, /^HTTP\/1\.1 408 Request Timeout\r\n/)
  assertError(t, { statusCode: 408, headers: { 'content-type': 'application/json' }, body }, 408, ErrorCode.REQUEST_TIMEOUT)

  const reset = new PassThrough()
  const resetWritten: string[] = []
  reset.on('data', (chunk: Buffer) => { resetWritten.push(chunk.toString()) })
  onClientError.call({ log }, Object.assign(new Error('reset'), { code: 'ECONNRESET' }), reset)
  t.same(resetWritten, [], 'nothing is written to a reset connection')
})

t.test('while the server closes: a held request completes, a request that arrives gets 503 in the one shape', async (t) => {
  const { app, port } = await listening(t)

  // an idle keep-alive connection: the server closes it when it stops listening, after the
  // preClose hooks have run (the event that says closing has begun)
  const idle = await connection(port)
  idle.socket.write('GET /healthz HTTP/1.1\r\nHost: riskgate\r\n\r\n')
  t.equal((await idle.next()).statusCode, 200)
  const idleClosed = once(idle.socket, 'close')

  // a request held open: its headers are in (the server answered 100 Continue), its body is not
  const held = await connection(port)
  const body = JSON.stringify(charge())
  held.socket.write('POST /v1/score HTTP/1.1\r\nHost: riskgate\r\n' +
    `Authorization: Bearer ${SCORE_SECRET}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`)
  t.equal((await held.next()).statusCode, 100, 'the server holds the request')

  const closed = app.close()
  await idleClosed

  // the held request's body, and on the same connection a request that arrives while closing
  held.socket.write(body + `GET /readyz?${MARK} HTTP/1.1\r\nHost: riskgate\r\nX-Probe: ${MARK}\r\n\r\n`)
  const first = await held.next()
  t.equal(first.statusCode, 200, 'the request in flight is answered')
  t.match(JSON.parse(first.body), { decision: String })
  const second = await held.next()
  assertError(t, second, 503, ErrorCode.SERVICE_UNAVAILABLE)
  t.equal(second.headers.connection, 'close', 'Connection: close, so the client goes elsewhere')
  await closed
})

t.test('errors thrown from hooks and handlers: the one shape, never their message', async (t) => {
  const logs: string[] = []
  const app = Fastify({ ...errorShapeServerOptions, logger: { level: 'info', stream: { write: (l: string) => { logs.push(l) } } } })
  await app.register(errorHandlerPlugin)
  const fail = (statusCode?: number): Error => Object.assign(new Error(`hook failed on ${MARK}`), statusCode === undefined ? {} : { statusCode })
  app.get('/on-request', { onRequest: (_req, _reply, done) => { done(fail()) } }, async () => 'never')
  app.get('/pre-handler', { preHandler: async () => { throw fail(400) } }, async () => 'never')
  app.get('/pre-validation', { preValidation: (_req, _reply, done) => { done(fail(403)) } }, async () => 'never')
  app.get('/pre-serialization', { preSerialization: async () => { throw fail() } }, async () => ({ ok: true }))
  let sends = 0
  app.get('/on-send', { onSend: async (_req, _reply, payload) => { if (sends++ === 0) throw fail(); return payload } }, async () => ({ ok: true }))
  app.get('/teapot', async () => { throw fail(418) })
  app.get('/unavailable', async () => { throw fail(503) })
  app.get('/bad-gateway', async () => { throw fail(502) })
  app.get('/riskgate-500', async () => { throw new RiskgateError(500, ErrorCode.INTERNAL, 'internal error', [{ path: `/${MARK}`, message: MARK }]) })
  app.get('/serialize', { schema: { response: { 200: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } } } }, async () => ({ n: MARK }))
  t.teardown(() => app.close())

  const cases: Array<[string, number, string]> = [
    ['/on-request', 500, ErrorCode.INTERNAL],
    ['/pre-handler', 400, ErrorCode.BAD_REQUEST],
    ['/pre-validation', 403, ErrorCode.FORBIDDEN],
    ['/pre-serialization', 500, ErrorCode.INTERNAL],
    ['/on-send', 500, ErrorCode.INTERNAL],
    ['/teapot', 418, ErrorCode.BAD_REQUEST],
    ['/unavailable', 503, ErrorCode.SERVICE_UNAVAILABLE],
    ['/bad-gateway', 500, ErrorCode.INTERNAL],
    ['/riskgate-500', 500, ErrorCode.INTERNAL],
    ['/serialize', 500, ErrorCode.INTERNAL]
  ]
  for (const [url, statusCode, code] of cases) {
    t.test(url, async (t) => {
      const before = logs.length
      assertError(t, await app.inject({ method: 'GET', url }), statusCode, code)
      const logged = logs.slice(before).some((l) => l.includes('"msg":"request failed"'))
      t.equal(logged, statusCode === 500, statusCode === 500 ? 'the fault is logged' : 'a client error is not logged as a fault')
    })
  }
})

t.test('errorResponse: a foreign error is never passed on', async (t) => {
  const err = Object.assign(new Error(`'/${MARK}' is not valid`), { code: 'FST_ERR_SOMETHING_NEW', statusCode: 400 })
  t.same(errorResponse(err).body, { error: { code: ErrorCode.BAD_REQUEST, message: 'the request cannot be read' } })
  t.same(errorResponse('a string thrown').statusCode, 500)
  t.same(errorResponse(null).body.error.code, ErrorCode.INTERNAL)
  t.equal(errorResponse(new RiskgateError(503, ErrorCode.SERVICE_UNAVAILABLE, 'later', [{ message: MARK }])).body.error.details, undefined, '5xx: no details')
})
