import { randomBytes } from 'node:crypto'
import type { AppConfig } from '../config/app-config.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { createMemoryDecisionStore } from '../idempotency/memory-decision-store.js'
import { loadRuleSet } from '../ruleset/load.js'
import { dataVersions } from '../scoring/data-versions.js'
import { createScorer } from '../scoring/score-charge.js'
import type { Scorer } from '../scoring/score-charge.js'
import { ruleSetView } from '../scoring/rule-set-view.js'
import { loadDisposableDomains } from '../signals/email.js'
import { createIpIntel } from '../signals/ip/ip-intel.js'
import type { IpIntel } from '../signals/ip/ip-intel.js'
import { createMemoryVelocityStore } from '../velocity/memory-store.js'

export interface OfflineScorerOptions {
  rulesDir: string
  /** IP data files (loadDataConfig: the configured ones or the bundled data) */
  data: AppConfig['data']
  /** velocity values that replace what the in-process store counted (what-if) */
  velocityOverrides?: Record<string, number>
  now?: () => number
}

export interface OfflineScorer {
  scorer: Scorer
  ruleSet: CompiledRuleSet
  intel: IpIntel
  /** what the scorer would have logged as warnings */
  warnings: string[]
  close: () => Promise<void>
}

/**
 * The service's scorer (src/scoring/score-charge.ts) wired for one process without a server:
 * the rule set folder, the IP data, the disposable-domain list, and in-process velocity and
 * decision stores (charges scored in one run count towards each other's velocity, as they would
 * in the service). The hash key of the in-process store is random: nothing is kept.
 */
export async function createOfflineScorer (options: OfflineScorerOptions): Promise<OfflineScorer> {
  const ruleSet = await loadRuleSet(options.rulesDir)
  const { reload: _reload, ...data } = options.data
  const intel = await createIpIntel(data)
  const view = ruleSetView(ruleSet)
  const store = createMemoryVelocityStore({ hashKey: randomBytes(32).toString('base64url') })
  const overrides = options.velocityOverrides ?? {}
  const warnings: string[] = []
  const scorer = createScorer({
    lookupIp: (ip) => intel.lookup(ip),
    dataVersions: () => dataVersions(intel.sources),
    disposable: loadDisposableDomains(),
    ruleSet: () => view,
    recordVelocity: async (input) => ({ ...await store.record(input), ...overrides }),
    decisions: createMemoryDecisionStore(),
    deadlineMs: 5_000,
    decisionTtlSeconds: 3_600,
    log: { warn: (_obj, msg) => { warnings.push(msg) } },
    ...(options.now !== undefined ? { now: options.now } : {})
  })
  return { scorer, ruleSet, intel, warnings, close: () => intel.close() }
}
