import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

t.test('GET /docs/json is the OpenAPI document of every route, from the schemas', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.equal(doc.openapi, '3.1.0')
  t.ok(doc.paths['/v1/score'].post, 'POST /v1/score is documented')
  const score = doc.paths['/v1/score'].post
  t.ok(score.requestBody.content['application/json'].schema.properties.charge_id, 'request body schema')
  t.ok(score.responses['200'], 'response schema')
  t.ok(doc.paths['/readyz'], '/readyz is documented')
  const ui = await app.inject({ method: 'GET', url: '/docs' })
  t.ok([200, 302].includes(ui.statusCode), 'the UI answers')
})
