import t from 'tap'
import { buildTestApp, charge, scoreAuth, TOR_EXIT } from '../helpers/app.js'

t.test('GET /metrics counts decisions, fired rules and timings', async (t) => {
  const { app } = await buildTestApp(t)
  const post = (body: unknown) => app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(body) })
  const firstBody = charge({ ip: TOR_EXIT })
  const first = (await post(firstBody)).json()
  await post(charge())
  await post(firstBody)
  await app.outbox.flush()

  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  t.match(res.body, new RegExp(`riskgate_decisions_total\\{decision="${first.decision}",replayed="true"\\} 1`))
  t.match(res.body, /riskgate_rule_fired_total\{rule="tor_exit"\} 1/)
  t.match(res.body, /riskgate_score_duration_seconds_count 2/)
  t.match(res.body, /process_resident_memory_bytes/)
  t.match(res.body, /riskgate_decision_records_total\{result="written"\} 2/, 'two decisions recorded (the retry is not)')
  t.match(res.body, /riskgate_outbox_written_total\{kind="decision"\} 2/)
  t.match(res.body, /riskgate_outbox_depth\{kind="decision"\} 0/)
  t.match(res.body, /riskgate_outbox_dropped_total\{kind="decision",reason="full"\} 0/)
})

t.test('two apps in one process keep separate registries', async (t) => {
  const a = await buildTestApp(t)
  const b = await buildTestApp(t)
  t.equal((await a.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200)
  t.equal((await b.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200)
})
