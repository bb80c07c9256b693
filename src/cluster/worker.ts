import cluster from 'node:cluster'
import type { FastifyInstance } from 'fastify'
import type { ChallengerChange } from '../rollout/challenger-changes.js'
import { ClusterMessage, isChallengerChange, isFollowed, isMessage } from './messages.js'
import type { ChallengerChanged, FollowChallenger, ReloadRules, RulesApplied } from './messages.js'

/** A worker's part of the relay: tells the primary of its own reloads; nothing when not a worker. */
export function announceRulesApplied (actor: string): void {
  if (!cluster.isWorker || isFollowed(actor) || process.send === undefined) return
  const message: RulesApplied = { type: ClusterMessage.RULES_APPLIED, actor }
  process.send(message)
}

/** A worker's part of the challenger relay: tells the primary of a change made here; nothing when not a worker. */
export function announceChallengerChanged (actor: string, change: ChallengerChange): void {
  if (!cluster.isWorker || isFollowed(actor) || process.send === undefined) return
  const message: ChallengerChanged = { type: ClusterMessage.CHALLENGER_CHANGED, actor, change }
  process.send(message)
}

/**
 * In a worker: follows the reloads and challenger changes the primary relays, and closes the app when the primary is gone
 * (its IPC channel closed): a worker never outlives its primary.
 */
export function followPrimary (app: FastifyInstance): void {
  if (!cluster.isWorker) return
  process.on('message', (message: unknown) => {
    if (isMessage<ReloadRules>(message, ClusterMessage.RELOAD_RULES)) {
      app.reloadRules(message.actor).catch((err: unknown) => { app.log.error({ err }, 'rule reload relayed by the primary failed') })
    } else if (isMessage<FollowChallenger>(message, ClusterMessage.FOLLOW_CHALLENGER) && isChallengerChange(message.change)) {
      app.challengerChanges.follow(message.change, message.actor).catch((err: unknown) => { app.log.error({ err }, 'challenger change relayed by the primary failed') })
    }
  })
  process.once('disconnect', () => {
    app.log.warn('the primary process is gone: closing')
    app.close().then(() => process.exit(0), () => process.exit(1))
  })
}
