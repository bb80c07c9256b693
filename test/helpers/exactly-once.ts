import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { charge, scoreAuth } from './app.js'
import type { Answer } from './score-load.js'

const headers = { 'content-type': 'application/json', ...scoreAuth }

export interface ExactlyOnceInput {
  /** every instance that answered (each outbox is flushed) */
  apps: readonly FastifyInstance[]
  answers: readonly Answer[]
  ips: readonly string[]
  /** charges and retries the merchants sent */
  sent: { charges: number, retries: number }
}

/** what a new charge from `ip` sees of it: the charges counted for it so far (the probe itself not included) */
async function countedFor (t: Test, app: FastifyInstance, ip: string, n: number): Promise<number | undefined> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers, payload: JSON.stringify(charge({ charge_id: `probe_${process.pid}_${n}`, ip })) })
  const body = res.json()
  if (res.statusCode !== 200 || (body.degraded as string[]).length > 0 || body.signals.velocity === undefined) {
    t.fail(`the probe of ${ip} was answered with velocity`, { status: res.statusCode, degraded: body.degraded })
    return undefined
  }
  return (body.signals.velocity.charges_per_ip_1h as number) - 1
}

/**
 * The product's promise after a load with faults: every answered decision is recorded exactly
 * once, and the counts are exact. Flushes every instance's outbox, scans the decision log, and
 * reads each IP's count from Redis by scoring one probe charge from it. Reports the figures.
 */
export async function checkExactlyOnce (t: Test, input: ExactlyOnceInput): Promise<void> {
  const { apps, answers } = input
  const [first] = apps
  if (first === undefined) throw new Error('no app')

  const failed = answers.filter((a) => a.status !== 200)
  t.equal(failed.length, 0, 'every charge was answered 200: the checkout never fails', {
    errors: [...new Set(failed.map((a) => `${a.status} ${a.error ?? ''}`))]
  })

  const flushed = await Promise.all(apps.map(async (app) => await app.outbox.flush()))
  t.same(flushed.map((f) => f.left), apps.map(() => 0), 'every outbox is written out')
  const dropped = apps.map((app) => app.outbox.stats().decision?.dropped)
  t.same(dropped, apps.map(() => ({ full: 0, expired: 0, shutdown: 0 })), 'no record dropped by an outbox')

  // read before the probes below add records of their own
  const stats = apps.map((app) => app.decisionLog.recorder.stats())
  const sum = (key: 'written' | 'duplicate' | 'superseded'): number => stats.reduce((total, s) => total + s[key], 0)
  const outboxRetries = apps.reduce((total, app) => total + (app.outbox.stats().decision?.retries ?? 0), 0)

  // the log, once per decision id and once per charge id
  const byDecision = new Map<string, DecisionRecord>()
  const byCharge = new Map<string, DecisionRecord>()
  let records = 0
  const twiceByDecision: string[] = []
  const twiceByCharge: string[] = []
  for await (const record of first.decisionLog.store.scan()) {
    records++
    if (byDecision.has(record.decision_id)) twiceByDecision.push(record.decision_id)
    if (byCharge.has(record.charge_id)) twiceByCharge.push(record.charge_id)
    byDecision.set(record.decision_id, record)
    byCharge.set(record.charge_id, record)
  }
  t.same(twiceByDecision, [], 'no decision id is recorded twice')
  t.same(twiceByCharge, [], 'no charge id has two records')

  const answered = new Map<string, Answer[]>()
  for (const answer of answers) {
    if (answer.status !== 200) continue
    const list = answered.get(answer.chargeId)
    if (list === undefined) answered.set(answer.chargeId, [answer])
    else list.push(answer)
  }

  // every answered decision is in the log, under the decision id it was answered with
  const missing: Answer[] = []
  const otherId: Answer[] = []
  for (const answer of answers) {
    if (answer.status !== 200) continue
    const record = byCharge.get(answer.chargeId)
    if (record === undefined) missing.push(answer)
    else if (record.decision_id !== answer.decisionId) otherId.push(answer)
  }
  const missingCharges = [...new Set(missing.map((a) => a.chargeId))]
  t.same(missingCharges, [], 'every answered charge is recorded', {
    answers: missing.slice(0, 10).map((a) => ({ charge: a.chargeId, phase: a.phase, degraded: a.degraded, replayed: a.replayed, retry: a.retry, instance: a.instance }))
  })
  t.equal(otherId.length, 0, 'every answer carries the decision id its charge is recorded under')

  // every record belongs to an answered charge
  const unanswered = [...byCharge.keys()].filter((id) => !answered.has(id))
  t.same(unanswered, [], 'every record belongs to an answered charge')

  // an answer decided with the store (it held the reservation) or replayed from it is the recorded
  // decision itself; one decided without the store may be another attempt's superseded decision
  const differs = answers.filter((a) => {
    if (a.status !== 200 || a.degraded.includes('idempotency')) return false
    const record = byCharge.get(a.chargeId)
    return record !== undefined && (record.decision !== a.decision || record.score !== a.score)
  })
  t.same(differs.map((a) => a.chargeId), [], 'every answer decided or replayed with the store is the recorded decision')

  // counts: nothing counted twice or without a record, nothing recorded with its count lost
  const recordedByIp = new Map<string, number>()
  for (const record of byCharge.values()) {
    const ip = answered.get(record.charge_id)?.[0]?.ip
    if (ip !== undefined) recordedByIp.set(ip, (recordedByIp.get(ip) ?? 0) + 1)
  }
  const knownByIp = new Map<string, Set<string>>()
  for (const a of answers) {
    // an attempt that reserved the charge and read its counters: the charge is counted for sure
    if (a.status === 200 && !a.replayed && a.velocityKnown) {
      const set = knownByIp.get(a.ip) ?? new Set<string>()
      set.add(a.chargeId)
      knownByIp.set(a.ip, set)
    }
  }
  const overCounted: Array<{ ip: string, counted: number, recorded: number }> = []
  const underCounted: Array<{ ip: string, counted: number, counted_for_sure: number }> = []
  let counted = 0
  let n = 0
  for (const ip of input.ips) {
    const count = await countedFor(t, first, ip, n++)
    if (count === undefined) continue
    counted += count
    const recorded = recordedByIp.get(ip) ?? 0
    const known = knownByIp.get(ip)?.size ?? 0
    if (count > recorded) overCounted.push({ ip, counted: count, recorded })
    if (count < known) underCounted.push({ ip, counted: count, counted_for_sure: known })
  }
  t.same(overCounted, [], 'per IP, no more charges counted than recorded (nothing counted twice, nothing counted without its record)')
  t.same(underCounted, [], 'per IP, every charge answered with its velocity is counted')

  const ok = answers.filter((a) => a.status === 200)
  const degraded = ok.filter((a) => a.degraded.length > 0)
  t.comment(`answers ${answers.length} (charges ${input.sent.charges}, merchant retries ${input.sent.retries}, replayed ${ok.filter((a) => a.replayed).length}), ` +
    `degraded ${degraded.length} (${(100 * degraded.length / Math.max(1, ok.length)).toFixed(1)}%), non-200 ${failed.length}`)
  t.comment(`records ${records} (written ${sum('written')}, duplicate ${sum('duplicate')}, superseded ${sum('superseded')}), outbox write retries ${outboxRetries}, ` +
    `counted ${counted} over ${input.ips.length} IPs`)
  const phases = [...new Set(answers.map((a) => a.phase))]
  t.comment(`by phase: ${phases.map((p) => {
    const inPhase = answers.filter((a) => a.phase === p)
    const velocityOnly = inPhase.filter((a) => a.degraded.length === 1 && a.degraded[0] === 'velocity' && !a.replayed).length
    return `${p} ${inPhase.length} answers, ${inPhase.filter((a) => a.degraded.length > 0).length} degraded` +
      (velocityOnly > 0 ? ` (${velocityOnly} reserved with counters unknown)` : '')
  }).join('; ')}`)
}
