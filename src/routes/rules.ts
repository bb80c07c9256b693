import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Scope } from '../auth/api-keys.js'
import { ReloadResult } from '../audit/rule-audit-log.js'
import type { RuleAuditLog } from '../audit/rule-audit-log.js'
import type { AuditedReload } from '../audit/reload-with-audit.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { describeRuleSet } from '../ruleset/describe.js'
import { ErrorResponseSchema, authErrorResponses } from '../schemas/error.js'
import { AuditQuerySchema, AuditResponseSchema, ReloadResponseSchema, RuleSetViewSchema } from '../schemas/rules.js'

export interface RuleRouteOptions {
  rules: { readonly current: CompiledRuleSet, readonly loadedAt: Date }
  audit: Pick<RuleAuditLog, 'latest'>
  reload: (actor: string) => Promise<AuditedReload>
}

/**
 * GET /v1/rules (analyst): the live set. POST /v1/rules/reload (admin): load the folder again;
 * a set with errors is refused with 422 and every `file:line:col` problem, the old set stays.
 * GET /v1/rules/audit (analyst): every reload attempt, newest first.
 */
export const ruleRoutes: FastifyPluginAsyncTypebox<RuleRouteOptions> = async function ruleRoutes (fastify, opts) {
  fastify.get('/v1/rules', {
    config: { scope: Scope.ANALYST },
    schema: {
      summary: 'The live rule set: version, hash, thresholds, velocity counters, lists (sizes) and rules',
      tags: ['rules'],
      security: [{ bearer: [] }],
      response: { 200: RuleSetViewSchema, ...authErrorResponses }
    }
  }, async function liveRules () {
    return describeRuleSet(opts.rules.current, opts.rules.loadedAt)
  })

  fastify.post('/v1/rules/reload', {
    config: { scope: Scope.ADMIN },
    schema: {
      summary: 'Reload the rule folder; a set with errors is refused and the live set stays',
      tags: ['rules'],
      security: [{ bearer: [] }],
      response: { 200: ReloadResponseSchema, 422: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function reload (request) {
    const { entry, audited } = await opts.reload(request.apiKey?.id ?? 'unknown')
    if (entry.result === ReloadResult.REFUSED) {
      throw new RiskgateError(422, ErrorCode.RULE_SET_INVALID, 'the rule set has errors: it was not loaded, the live set stays',
        entry.errors.map((message) => ({ message })))
    }
    const live = opts.rules.current
    return {
      result: entry.result === ReloadResult.UNCHANGED ? 'unchanged' as const : 'applied' as const,
      at: entry.at,
      previous: entry.previous,
      live: entry.loaded ?? { version: live.version, hash: live.hash },
      audited
    }
  })

  fastify.get('/v1/rules/audit', {
    config: { scope: Scope.ANALYST },
    schema: {
      summary: 'Rule reload attempts, newest first: who, when, old and new version and hash, result, errors',
      tags: ['rules'],
      security: [{ bearer: [] }],
      querystring: AuditQuerySchema,
      response: { 200: AuditResponseSchema, 400: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function auditLog (request) {
    const limit = request.query.limit === undefined ? 100 : Number(request.query.limit)
    return { entries: await opts.audit.latest(limit) }
  })
}
