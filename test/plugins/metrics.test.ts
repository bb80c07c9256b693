import t from 'tap'
import { buildTestApp, charge, scoreAuth, TOR_EXIT } from '../helpers/app.js'

t.test('GET /metrics counts decisions, fired rules and timings', async (t) => {
  const { app } = await buildTestApp(t)
  const post = (body: unknown) => app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(body) })
  const first = (await post(charge({ ip: TOR_EXIT }))).json()
  await post(charge())
  await post({ ...charge(), charge_id: first.charge_id })

  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  t.match(res.body, new RegExp(`riskgate_decisions_total\\{decision="${first.decision}",replayed="true"\\} 1`))
  t.match(res.body, /riskgate_rule_fired_total\{rule="tor_exit"\} 1/)
  t.match(res.body, /riskgate_score_duration_seconds_count 2/)
  t.match(res.body, /process_resident_memory_bytes/)
  t.match(res.body, /riskgate_decision_log_records\{state="recorded"\} \d+/)
})

t.test('two apps in one process keep separate registries', async (t) => {
  const a = await buildTestApp(t)
  const b = await buildTestApp(t)
  t.equal((await a.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200)
  t.equal((await b.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200)
})
