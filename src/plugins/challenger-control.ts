import fp from 'fastify-plugin'
import { createChallengerChanges } from '../rollout/challenger-changes.js'
import type { ChallengerChange, ChallengerChanges } from '../rollout/challenger-changes.js'

export interface ChallengerControlOptions {
  /** told of every change that took effect here (the other worker processes follow it: src/cluster/) */
  onChanged?: (actor: string, change: ChallengerChange) => void
}

declare module 'fastify' {
  interface FastifyInstance {
    /** stage, drop, promote the challenger, each audited in the rule audit log */
    challengerChanges: ChallengerChanges
  }
}

/** The challenger's audited changes (POST/DELETE /v1/rules/challenger, promote, and followed workers). */
export const challengerControlPlugin = fp(async function challengerControl (fastify, opts: ChallengerControlOptions) {
  fastify.decorate('challengerChanges', createChallengerChanges({
    slot: fastify.challenger,
    live: fastify.rules,
    audit: fastify.rulesAudit,
    log: fastify.log,
    ...(opts.onChanged !== undefined ? { onChanged: opts.onChanged } : {})
  }))
}, { name: 'challenger-control', fastify: '5.x', dependencies: ['rules', 'challenger', 'rule-reload'] })
