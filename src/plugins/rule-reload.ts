import fp from 'fastify-plugin'
import { createRuleAuditLog, ReloadResult } from '../audit/rule-audit-log.js'
import type { RuleAuditLog } from '../audit/rule-audit-log.js'
import { reloadWithAudit } from '../audit/reload-with-audit.js'
import type { AuditedReload } from '../audit/reload-with-audit.js'

export interface RuleReloadOptions {
  /** Redis key prefix of the audit stream (tests) */
  keyPrefix?: string
  /** told of every reload that put a new set live (the other worker processes follow it: src/cluster/) */
  onApplied?: (actor: string) => void
}

/** who asks for a reload on a signal */
export const SIGHUP_ACTOR = 'SIGHUP'

declare module 'fastify' {
  interface FastifyInstance {
    /** the append-only log of rule reload attempts */
    rulesAudit: RuleAuditLog
    /**
     * Reloads the rule folder (POST /v1/rules/reload, SIGHUP) and audits the attempt. Resolves with
     * the audit entry, refused sets included; rejects only on a fault of riskgate's.
     */
    reloadRules: (actor: string) => Promise<AuditedReload>
  }
}

/** Rule reloads with their audit log (Redis stream when Redis is configured, else in process). */
export const ruleReloadPlugin = fp(async function ruleReload (fastify, opts: RuleReloadOptions) {
  const audit = createRuleAuditLog({ redis: fastify.redis, ...(opts.keyPrefix !== undefined ? { keyPrefix: opts.keyPrefix } : {}) })
  fastify.decorate('rulesAudit', audit)
  fastify.decorate('reloadRules', async (actor: string) => {
    const reload = await reloadWithAudit(fastify.rules, audit, actor, fastify.log)
    if (reload.entry.result === ReloadResult.APPLIED) opts.onApplied?.(actor)
    return reload
  })
}, { name: 'rule-reload', fastify: '5.x', dependencies: ['redis', 'rules'] })
