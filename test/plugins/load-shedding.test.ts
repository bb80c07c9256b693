import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { eventually } from '../helpers/eventually.js'
import type { SheddingConfig } from '../../src/plugins/load-shedding.js'
import { PressureType, createShedGate, shedShare } from '../../src/load-shedding/shed-policy.js'

const off: SheddingConfig = { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0, maxEventLoopUtilization: 0, retryAfterSeconds: 1 }

/** Keeps the event loop busy for `ms`: what a CPU-bound overload does to every request behind it. */
function blockEventLoop (ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) { /* busy */ }
}

t.test('past a limit, requests are answered 503 service_unavailable with Retry-After; /healthz answers, /readyz says shedding', async (t) => {
  // a heap limit of one byte: passed from the first sample on
  const { app } = await buildTestApp(t, { shedding: { ...off, maxHeapUsedBytes: 1, retryAfterSeconds: 3, sampleIntervalMs: 10 } })
  await eventually(() => app.loadShedding.active() ? true : undefined)

  const scored = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: charge() })
  t.equal(scored.statusCode, 503)
  t.equal(scored.headers['retry-after'], '3')
  t.match(scored.headers['content-type'], /^application\/json/)
  t.same(Object.keys(scored.json()), ['error'])
  t.match(scored.json(), { error: { code: 'service_unavailable', message: /overloaded: retry after 3 s/ } })
  const anonymous = await app.inject({ method: 'GET', url: '/v1/rules' })
  t.equal(anonymous.statusCode, 503, 'shed before authentication: a request costs as little as it can')

  const health = await app.inject({ method: 'GET', url: '/healthz' })
  t.equal(health.statusCode, 200, '/healthz: the process is alive')
  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 503, '/readyz: a load balancer sends the traffic elsewhere')
  t.equal(ready.headers['retry-after'], '3')
  t.match(ready.json(), { status: 'shedding', rules: { version: String }, store: { kind: 'in-process' } })

  const metrics = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(metrics.statusCode, 200, '/metrics answers under pressure')
  t.match(metrics.body, /riskgate_shed_requests_total\{reason="heap_used"\} 2\n/)
  t.match(metrics.body, /riskgate_shedding 1\n/)
})

t.test('an event loop kept busy sheds requests until it recovers', async (t) => {
  const { app } = await buildTestApp(t, { shedding: { ...off, maxEventLoopDelayMs: 30, sampleIntervalMs: 100 } })
  const score = async (): Promise<LightMyRequestResponse> => await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: charge() })
  // the first request shed after the loop was held up: each try blocks it for longer than a sample
  const shed = await eventually(async () => {
    const res = await score()
    if (res.statusCode === 503) return res
    blockEventLoop(300)
    return undefined
  })
  t.match(shed.json(), { error: { code: 'service_unavailable' } })
  t.equal(shed.headers['retry-after'], '1')
  t.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /riskgate_shed_requests_total\{reason="event_loop_delay"\} [1-9]/)
  // no more blocking: the next samples find the loop on time, and requests are scored again
  const recovered = await eventually(async () => {
    const res = await score()
    return res.statusCode === 200 ? res : undefined
  })
  t.match(recovered.json(), { decision: /^(allow|review|block)$/ })
  // /readyz follows the same samples: on a busy machine one more may come late, so it is awaited too
  const ready = await eventually(async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' })
    return res.statusCode === 200 ? res : undefined
  })
  t.equal(ready.statusCode, 200, 'ready again')
})

t.test('every limit at 0 (or no shedding settings): never shed, /readyz ready', async (t) => {
  for (const shedding of [off, undefined]) {
    const { app } = await buildTestApp(t, shedding === undefined ? {} : { shedding })
    t.notOk(app.hasDecorator('isUnderPressure'), 'under-pressure is not registered')
    t.equal(app.loadShedding.active(), false)
    const ready = await app.inject({ method: 'GET', url: '/readyz' })
    t.equal(ready.statusCode, 200)
    t.equal(ready.json().status, 'ready')
    t.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /riskgate_shedding 0\n/)
  }
})

t.test('the share shed grows with how far past its limit a measure is; the gate sheds that share evenly', async (t) => {
  const limits = { maxEventLoopDelayMs: 200, maxHeapUsedBytes: 1000, maxEventLoopUtilization: 0.9 }
  t.equal(shedShare(limits, PressureType.EVENT_LOOP_DELAY, 200, 0), 0, 'at the limit: none')
  t.equal(shedShare(limits, PressureType.EVENT_LOOP_DELAY, 300, 0), 0.5, 'at 1.5 times: half')
  t.equal(shedShare(limits, PressureType.EVENT_LOOP_DELAY, 400, 0), 1, 'at twice: all')
  t.equal(shedShare(limits, PressureType.EVENT_LOOP_DELAY, 5000, 0), 1)
  t.equal(shedShare(limits, PressureType.EVENT_LOOP_DELAY, Number.POSITIVE_INFINITY, 0), 1, 'no sample at all: all')
  t.ok(Math.abs(shedShare(limits, PressureType.EVENT_LOOP_UTILIZATION, 0.95, 0) - 0.5) < 1e-9, 'utilization: halfway to a fully busy loop, half')
  t.equal(shedShare(limits, PressureType.HEAP_USED_BYTES, 1001, 1001), 1, 'the heap: all')
  t.equal(shedShare(limits, PressureType.EVENT_LOOP_DELAY, 210, 2000), 1, 'the heap past its limit too: all')

  const gate = createShedGate()
  t.same(Array.from({ length: 8 }, () => gate(0.25)), [false, false, false, true, false, false, false, true], 'a quarter: one in four')
  const all = createShedGate()
  t.ok(Array.from({ length: 5 }, () => all(1)).every((shed) => shed), 'all')
  const none = createShedGate()
  t.notOk(Array.from({ length: 5 }, () => none(0)).some((shed) => shed), 'none')
})
