import { count, percent, table } from '../backtest/format-terminal.js'
import type { Decision } from '../schemas/decision.js'
import type { PairComparison, RolloutComparison, SetComparison } from './compare.js'

const DECISIONS: readonly Decision[] = ['allow', 'review', 'block']

function version (v: { version: string, hash: string }): string {
  return `${v.version} (${v.hash.slice(0, 12)})`
}

function setRow (label: string, set: SetComparison): string[] {
  return [label, ...DECISIONS.map((d) => count(set.decisions[d])), count(set.fraud_caught), count(set.fraud_reviewed), count(set.fraud_missed),
    count(set.good_blocked), percent(set.precision), percent(set.recall)]
}

function pairLines (pair: PairComparison): string[] {
  return [
    `live ${version(pair.live)}  vs  challenger ${version(pair.challenger)}`,
    `  ${count(pair.charges)} charges (${count(pair.modes.shadow)} in shadow, ${count(pair.modes.enforce)} enforced; ` +
      `${count(pair.decided_by.challenger)} decided by the challenger)`,
    `  agreement: ${percent(pair.agreement)} (${count(pair.agreed)} of ${count(pair.charges)})`,
    `  outcomes: ${count(pair.outcomes.fraud)} fraud, ${count(pair.outcomes.good)} good, ${count(pair.outcomes.unlabelled)} unlabelled`,
    '',
    '  live (rows) -> challenger (columns)',
    ...table([['', ...DECISIONS], ...DECISIONS.map((l) => [l, ...DECISIONS.map((c) => count(pair.matrix[l][c]))])], ['l', 'r', 'r', 'r']),
    '',
    ...table([
      ['set', ...DECISIONS, 'fraud caught', 'fraud reviewed', 'fraud missed', 'good blocked', 'precision', 'recall'],
      setRow('live', pair.sets.live),
      setRow('challenger', pair.sets.challenger)
    ], ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']),
    ''
  ]
}

/** The comparison as `riskgate backtest challenger` prints it. */
export function formatComparison (report: RolloutComparison): string {
  const lines = [
    `${count(report.records)} decision records, ${count(report.compared)} decided with a challenger beside the live set` +
      (report.period.from === null ? '' : ` (${report.period.from} to ${report.period.to ?? ''})`),
    `refunds counted as ${report.refund_as}; fraud caught = labelled fraud blocked`,
    ''
  ]
  for (const pair of report.pairs) lines.push(...pairLines(pair))
  return lines.join('\n') + '\n'
}
