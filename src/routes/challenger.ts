import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Scope } from '../auth/api-keys.js'
import { ReloadResult } from '../audit/rule-audit-log.js'
import type { AuditedChallenger } from '../audit/rule-audit-log.js'
import type { AuditedReload } from '../audit/reload-with-audit.js'
import { OutcomeClass } from '../backtest/outcome.js'
import { parseLogRange } from '../decision-log/range.js'
import type { DecisionLogStore } from '../decision-log/store.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import type { ChallengerChanges } from '../rollout/challenger-changes.js'
import type { ChallengerSlot } from '../rollout/challenger-slot.js'
import { createRolloutComparison } from '../rollout/compare.js'
import { describeRollout, rolloutOf } from '../rollout/rollout.js'
import { describeRuleSet } from '../ruleset/describe.js'
import { displayPath } from '../ruleset/load.js'
import {
  ChallengerDropResponseSchema, ChallengerPromoteResponseSchema, ChallengerStageRequestSchema, ChallengerStageResponseSchema,
  ChallengerStateSchema, ComparisonQuerySchema, ComparisonResponseSchema
} from '../schemas/challenger.js'
import { ErrorResponseSchema, authErrorResponses } from '../schemas/error.js'
import { storeCall } from '../search/store-call.js'

/** the most records one comparison reads: its cost stays that of a few pages of search */
export const MAX_COMPARISON_RECORDS = 10_000
const DAY_MS = 86_400_000

export interface ChallengerRouteOptions {
  slot: Pick<ChallengerSlot, 'current'>
  live: { readonly current: CompiledRuleSet }
  changes: ChallengerChanges
  /** RISKGATE_CHALLENGER_RULES: the folder a stage reads when its body names none */
  defaultRulesDir?: string
  store: Pick<DecisionLogStore, 'scan'>
  now?: () => number
}

function invalid (path: string, message: string): RiskgateError {
  return new RiskgateError(400, ErrorCode.VALIDATION_FAILED, 'the request does not match the schema', [{ path, message }])
}

function noChallenger (): RiskgateError {
  return new RiskgateError(409, ErrorCode.NO_CHALLENGER, 'no challenger rule set is staged: stage one with POST /v1/rules/challenger')
}

function refused (entry: AuditedReload['entry']): RiskgateError {
  return new RiskgateError(422, ErrorCode.RULE_SET_INVALID, 'the challenger rule set has errors: it was not staged, nothing changed',
    entry.errors.map((message) => ({ message })))
}

function summary (challenger: AuditedChallenger | undefined): AuditedChallenger {
  if (challenger === undefined) throw new Error('an applied challenger change is audited with its challenger')
  return challenger
}

/**
 * The challenger rule set (a staged rollout, src/rollout/):
 * GET /v1/rules/challenger (analyst): the staged challenger and its rule set, or null.
 * POST /v1/rules/challenger (admin): stage a folder, in shadow or enforced on a share; a set with
 * errors is refused with 422, nothing changed. DELETE /v1/rules/challenger (admin): drop it.
 * POST /v1/rules/challenger/promote (admin): make it the live set. Every change is in the rule
 * audit log. GET /v1/rules/challenger/comparison (analyst): what the live set and the challenger
 * decided on the recorded charges of a range.
 */
export const challengerRoutes: FastifyPluginAsyncTypebox<ChallengerRouteOptions> = async function challengerRoutes (fastify, opts) {
  const now = opts.now ?? Date.now

  fastify.get('/v1/rules/challenger', {
    config: { scope: Scope.ANALYST },
    schema: {
      summary: 'The challenger rule set staged beside the live one (null when none is), with its rollout',
      tags: ['rules'],
      security: [{ bearer: [] }],
      response: { 200: ChallengerStateSchema, ...authErrorResponses }
    }
  }, async function challengerState () {
    const staged = opts.slot.current
    if (staged === undefined) return { challenger: null }
    return {
      challenger: {
        rules_dir: displayPath(staged.rulesDir),
        ...describeRollout(staged.rollout),
        staged_at: staged.stagedAt.toISOString(),
        staged_by: staged.stagedBy,
        rule_set: describeRuleSet(staged.ruleSet, staged.stagedAt)
      }
    }
  })

  fastify.post('/v1/rules/challenger', {
    config: { scope: Scope.ADMIN },
    schema: {
      summary: 'Stage a challenger rule set beside the live one, in shadow or enforced on a deterministic share of customers or cards',
      tags: ['rules'],
      security: [{ bearer: [] }],
      body: ChallengerStageRequestSchema,
      response: { 200: ChallengerStageResponseSchema, 400: ErrorResponseSchema, 422: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function stage (request) {
    const body = request.body
    const rulesDir = body.rules_dir ?? opts.defaultRulesDir
    if (rulesDir === undefined) throw invalid('/rules_dir', 'is required: RISKGATE_CHALLENGER_RULES is not set')
    const rollout = rolloutOf(body.mode, body.percent, body.by)
    if (!rollout.ok) throw new RiskgateError(400, ErrorCode.VALIDATION_FAILED, 'the request does not match the schema', rollout.problems)
    const { entry, audited } = await opts.changes.stage(rulesDir, rollout.rollout, request.apiKey?.id ?? 'unknown')
    if (entry.result === ReloadResult.REFUSED) throw refused(entry)
    return {
      result: entry.result === ReloadResult.UNCHANGED ? 'unchanged' as const : 'applied' as const,
      at: entry.at,
      live: entry.previous,
      challenger: summary(entry.challenger),
      audited
    }
  })

  fastify.delete('/v1/rules/challenger', {
    config: { scope: Scope.ADMIN },
    schema: {
      summary: 'Drop the staged challenger rule set (the live set is untouched)',
      tags: ['rules'],
      security: [{ bearer: [] }],
      response: { 200: ChallengerDropResponseSchema, 409: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function drop (request) {
    const change = await opts.changes.drop(request.apiKey?.id ?? 'unknown')
    if (change === undefined) throw noChallenger()
    return { result: 'applied' as const, at: change.entry.at, live: change.entry.previous, dropped: summary(change.entry.challenger), audited: change.audited }
  })

  fastify.post('/v1/rules/challenger/promote', {
    config: { scope: Scope.ADMIN },
    schema: {
      summary: 'Make the staged challenger the live rule set (later reloads read its folder)',
      tags: ['rules'],
      security: [{ bearer: [] }],
      response: { 200: ChallengerPromoteResponseSchema, 409: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function promote (request) {
    const change = await opts.changes.promote(request.apiKey?.id ?? 'unknown')
    if (change === undefined) throw noChallenger()
    const { entry } = change
    if (entry.loaded === null) throw noChallenger()
    return { result: 'applied' as const, at: entry.at, previous: entry.previous, live: entry.loaded, promoted: summary(entry.challenger), audited: change.audited }
  })

  fastify.get('/v1/rules/challenger/comparison', {
    config: { scope: Scope.ANALYST },
    schema: {
      summary: 'What the live set and the challenger decided on the recorded charges of a range: agreement, the decision matrix, fraud caught by each',
      tags: ['rules'],
      security: [{ bearer: [] }],
      querystring: ComparisonQuerySchema,
      response: { 200: ComparisonResponseSchema, 400: ErrorResponseSchema, 503: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function comparison (request) {
    const parsed = parseLogRange(request.query)
    if (!parsed.ok) throw invalid(`/${parsed.bound}`, 'must be an ISO 8601 date or time (2026-11-21 or 2026-11-21T10:00:00Z)')
    const to = parsed.range.to ?? new Date(now())
    const from = parsed.range.from ?? new Date(to.getTime() - DAY_MS)
    if (from.getTime() >= to.getTime()) throw invalid('/from', 'must be before to')
    const compare = createRolloutComparison(OutcomeClass.UNLABELLED)
    let records = 0
    let last: string | undefined
    let truncated = false
    await storeCall(request.log, 'the challenger comparison', async () => {
      for await (const record of opts.store.scan({ from, to })) {
        if (records === MAX_COMPARISON_RECORDS) {
          truncated = true
          break
        }
        records++
        last = record.at
        compare.add(record)
      }
    })
    return { from: from.toISOString(), to: truncated && last !== undefined ? last : to.toISOString(), truncated, ...compare.report() }
  })
}
