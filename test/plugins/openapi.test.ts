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
  for (const [path, method] of [['/v1/reviews', 'get'], ['/v1/reviews/{decision_id}', 'post'], ['/v1/decisions', 'get'],
    ['/v1/decisions/by-charge/{charge_id}', 'get'], ['/v1/overview', 'get'], ['/v1/decisions/{decision_id}', 'get']] as const) {
    const op = doc.paths[path]?.[method]
    t.ok(op?.responses?.['200'], `${method.toUpperCase()} ${path} is documented with its answer`)
    t.same(op?.security, [{ bearer: [] }], `${path}: an API key`)
  }
  t.same(doc.paths['/v1/reviews/{decision_id}'].post.tags, ['reviews'])
  for (const name of ['DecisionSummary', 'ReviewSummary', 'Review']) t.ok(doc.components.schemas[name], `the named schema ${name} is a component`)
  t.equal(doc.paths['/v1/decisions'].get.responses['200'].content['application/json'].schema.properties.decisions.items.$ref, '#/components/schemas/DecisionSummary')
  const ui = await app.inject({ method: 'GET', url: '/docs' })
  t.ok([200, 302].includes(ui.statusCode), 'the UI answers')
})
