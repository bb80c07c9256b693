import t from 'tap'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'

t.test('one log line per request: ids, route, status and time, never the body', async (t) => {
  const { app, logs } = await buildTestApp(t)
  const body = charge()
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    headers: { 'content-type': 'application/json', 'x-request-id': 'req-log-1', ...scoreAuth },
    payload: JSON.stringify(body)
  })
  t.equal(res.statusCode, 200)
  const lines = logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.reqId === 'req-log-1')
  t.equal(lines.length, 1, 'one line for the request')
  t.match(lines[0], {
    msg: 'request completed',
    req: { method: 'POST', route: '/v1/score' },
    res: { statusCode: 200 },
    key_id: 'merchant',
    decision_id: res.json().decision_id,
    decision: res.json().decision,
    replayed: false
  })
  t.type(lines[0]?.responseTime, 'number')
  t.notMatch(JSON.stringify(lines), new RegExp(String(body.email)), 'no body field')

  const missing = await app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'req-log-2' } })
  t.equal(missing.statusCode, 404)
  const other = logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.reqId === 'req-log-2')
  t.equal(other.length, 1)
  t.match(other[0], { msg: 'request completed', res: { statusCode: 404 } })
  t.notOk('decision_id' in (other[0] ?? {}), 'only the score route adds a decision id')
})
