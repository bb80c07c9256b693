import type { Reason, ScoreResponse } from '../schemas/decision.js'

function value (v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : v === null ? 'unknown' : String(v)
}

function effect (reason: Reason): string {
  const parts: string[] = []
  if (reason.score !== null) parts.push(reason.score > 0 ? `+${reason.score}` : String(reason.score))
  if (reason.action !== null) parts.push(reason.action)
  return parts.join(' ')
}

function reasonLines (reasons: readonly Reason[]): string[] {
  const width = Math.max(3, ...reasons.map((r) => effect(r).length))
  const idWidth = Math.max(...reasons.map((r) => r.rule.length))
  return reasons.flatMap((r) => {
    const values = Object.entries(r.values).map(([path, v]) => `${path} = ${value(v)}`).join(', ')
    return [
      `  ${effect(r).padEnd(width)}  ${r.rule.padEnd(idWidth)}  ${r.description}`,
      ...(values === '' ? [] : [`  ${''.padEnd(width)}  ${''.padEnd(idWidth)}  ${values}`])
    ]
  })
}

function fields (record: object | undefined): string {
  if (record === undefined) return 'unknown'
  const entries = Object.entries(record).filter(([, v]) => v !== undefined)
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('  ')
}

/** A decision as an analyst reads it in a terminal: decision, score, reasons with their values. */
export function formatDecision (response: ScoreResponse): string {
  const lines = [
    `charge ${response.charge_id}: ${response.decision.toUpperCase()}, score ${response.score}` +
      `  (rule set ${response.ruleset.version}, ${response.ruleset.hash.slice(0, 12)})`
  ]
  lines.push(response.reasons.length === 0 ? 'reasons: none (no rule fired)' : 'reasons:')
  lines.push(...reasonLines(response.reasons))
  const shadow = response.shadow
  if (shadow.reasons.length > 0 || shadow.decision !== response.decision || shadow.score !== response.score) {
    lines.push(`shadow: ${shadow.decision}, score ${shadow.score} (what live and shadow rules together would decide)`)
    lines.push(...reasonLines(shadow.reasons))
  }
  if (response.skipped.length > 0) {
    lines.push('skipped (not evaluated):')
    for (const s of response.skipped) lines.push(`  ${s.rule}: ${s.error !== undefined ? `error: ${s.error}` : `unknown ${s.unknown.join(', ')}`}`)
  }
  lines.push('signals:')
  lines.push(`  ip        ${fields(response.signals.ip)}`)
  lines.push(`  email     ${fields(response.signals.email)}`)
  lines.push(`  card      ${fields(response.signals.card)}`)
  lines.push(`  device    ${fields(response.signals.device)}`)
  const address: Record<string, unknown> = {}
  if (response.signals.billing_shipping_match !== undefined) address.billing_shipping_match = response.signals.billing_shipping_match
  if (response.signals.ip_billing_distance_km !== undefined) address.ip_billing_distance_km = response.signals.ip_billing_distance_km
  if (Object.keys(address).length > 0) lines.push(`  address   ${fields(address)}`)
  lines.push(`  velocity  ${fields(response.signals.velocity)}`)
  if (response.degraded.length > 0) lines.push(`degraded: ${response.degraded.join(', ')} (decided without them)`)
  lines.push(`data: ${Object.entries(response.data).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`)
  return lines.join('\n') + '\n'
}
