import t from 'tap'
import type { Test } from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import { Value } from 'typebox/value'
import { OPERATION_IDS } from '../../src/plugins/openapi-operations.js'
import { ChargeContextSchema } from '../../src/schemas/charge.js'
import { ScoreResponseSchema } from '../../src/schemas/decision.js'
import { CHARGE_EXAMPLE, CLOSE_REVIEW_EXAMPLE, OUTCOME_REQUEST_EXAMPLE, SCORE_RESPONSE_EXAMPLE } from '../../src/schemas/examples.js'
import { CloseReviewBodySchema } from '../../src/schemas/review-queue.js'
import { OutcomeRequestSchema } from '../../src/schemas/decision-log.js'
import { buildTestApp } from '../helpers/app.js'

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const

interface Operation { operationId?: string, security?: unknown[], requestBody?: { content: Record<string, { example?: unknown }> } }

async function documentOf (t: Test): Promise<{ paths: Record<string, Partial<Record<string, Operation>>>, servers?: unknown[] }> {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(res.statusCode, 200)
  return res.json()
}

t.test('every operation has a unique operationId from the table, explicit security, and the document has servers', async (t) => {
  const doc = await documentOf(t)
  const ids = new Set<string>()
  let operations = 0
  for (const [route, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method]
      if (operation === undefined) continue
      operations++
      t.equal(operation.operationId, OPERATION_IDS[`${method.toUpperCase()} ${route}`], `${method} ${route} has its operationId`)
      t.ok(operation.operationId !== undefined && !ids.has(operation.operationId), `${operation.operationId ?? '(none)'} is unique`)
      if (operation.operationId !== undefined) ids.add(operation.operationId)
      t.ok(Array.isArray(operation.security), `${method} ${route} says which credentials it takes`)
    }
  }
  t.ok(operations >= 15)
  t.same(doc.paths['/healthz']?.get?.security, [], 'a public operation: no credentials')
  t.same(doc.paths['/v1/score']?.post?.security, [{ bearer: [] }])
  t.ok(Array.isArray(doc.servers) && doc.servers.length > 0, 'servers')
})

t.test('the examples are real: each validates against its own schema; Try it out sends the README charge', async (t) => {
  for (const [name, schema, example] of [
    ['charge', ChargeContextSchema, CHARGE_EXAMPLE],
    ['score response', ScoreResponseSchema, SCORE_RESPONSE_EXAMPLE],
    ['outcome', OutcomeRequestSchema, OUTCOME_REQUEST_EXAMPLE],
    ['review close', CloseReviewBodySchema, CLOSE_REVIEW_EXAMPLE]
  ] as const) {
    t.ok(Value.Check(schema, example), `the ${name} example matches its schema`)
  }
  const doc = await documentOf(t)
  const body = doc.paths['/v1/score']?.post?.requestBody?.content['application/json']
  t.same(body?.example, CHARGE_EXAMPLE, 'the score operation shows (and Try it out sends) the README charge')
})

t.test('Redocly lints the document (recommended rules) without an error', async (t) => {
  const doc = await documentOf(t)
  const config = await createConfig({ extends: ['recommended'] })
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config })
  const errors = problems.filter((p) => p.severity === 'error')
  t.same(errors.map((p) => `${p.ruleId}: ${p.message} (${p.location[0]?.pointer ?? ''})`), [], 'no errors')
  const warnings = problems.filter((p) => p.severity === 'warn')
  t.comment(`Redocly warnings: ${warnings.length}${warnings.length > 0 ? `: ${[...new Set(warnings.map((w) => w.ruleId))].join(', ')}` : ''}`)
})

t.test('a typed client generated from the document (openapi-typescript) compiles against real calls', async (t) => {
  const doc = await documentOf(t)
  const types = astToString(await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0]))
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-client-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(path.join(dir, 'riskgate.d.ts'), types)
  // what a merchant's engineer writes with the generated types: the README's call, and a review close
  writeFileSync(path.join(dir, 'client.ts'), `
import type { paths, operations } from './riskgate.js'
type ScoreBody = paths['/v1/score']['post']['requestBody']['content']['application/json']
type ScoreAnswer = operations['scoreCharge']['responses'][200]['content']['application/json']
type CloseBody = operations['closeReview']['requestBody']['content']['application/json']
export async function score (base: string, key: string, body: ScoreBody): Promise<ScoreAnswer> {
  const res = await fetch(base + '/v1/score', { method: 'POST', headers: { authorization: 'Bearer ' + key, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return await res.json() as ScoreAnswer
}
export const example: ScoreBody = ${JSON.stringify(CHARGE_EXAMPLE)}
export const close: CloseBody = { action: 'approve', note: 'called the shopper' }
export function decisionOf (answer: ScoreAnswer): 'allow' | 'review' | 'block' { return answer.decision }
`)
  // and what must not compile: a field the API does not take
  writeFileSync(path.join(dir, 'wrong.ts'), `
import type { paths } from './riskgate.js'
type ScoreBody = paths['/v1/score']['post']['requestBody']['content']['application/json']
export const wrong: ScoreBody = { charge_id: 'c', amount: 'lots', currency: 'THB', ip: '1.1.1.1' }
`)
  const compile = (file: string): readonly ts.Diagnostic[] => {
    const program = ts.createProgram([path.join(dir, file)], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [], lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] })
    return ts.getPreEmitDiagnostics(program)
  }
  const ok = compile('client.ts')
  t.same(ok.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], 'the client compiles')
  t.ok(compile('wrong.ts').length > 0, 'an amount that is not an integer does not compile')
})
