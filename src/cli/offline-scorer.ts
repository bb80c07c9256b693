import { randomBytes } from 'node:crypto'
import type { AppConfig } from '../config/app-config.js'
import { decodeRecord } from '../decision-log/codec.js'
import { createMemoryDecisionLog } from '../decision-log/memory-store.js'
import type { MemoryDecisionLog } from '../decision-log/memory-store.js'
import { createSnapshotHash } from '../decision-log/snapshot.js'
import { DEFAULT_PENDING_MS } from '../decision-log/store.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { createDecisionKeys } from '../idempotency/decision-key.js'
import { createBodyFingerprint, shapeOf } from '../idempotency/fingerprint.js'
import { ChargeContextSchema } from '../schemas/charge.js'
import { memoryReservations } from '../idempotency/reservations.js'
import type { ChargeReservations } from '../idempotency/reservations.js'
import { loadRuleSet } from '../ruleset/load.js'
import { sharedDataVersions } from '../scoring/data-versions.js'
import { createScorer } from '../scoring/score-charge.js'
import type { Scorer } from '../scoring/score-charge.js'
import { ruleSetView } from '../scoring/rule-set-view.js'
import { loadDisposableDomains } from '../signals/email.js'
import { createDeviceSignals } from '../signals/device/device-signals.js'
import { loadCityCoordinates } from '../signals/geo/city-coordinates.js'
import { createIpIntel } from '../signals/ip/ip-intel.js'
import type { IpIntel } from '../signals/ip/ip-intel.js'
import { createMemoryVelocityStore } from '../velocity/memory-store.js'

export interface OfflineScorerOptions {
  rulesDir: string
  /** IP data files (loadDataConfig: the configured ones, else updated open data, else the bundled data) */
  data: AppConfig['data']
  /** velocity values that replace what the in-process store counted (what-if) */
  velocityOverrides?: Record<string, number>
  now?: () => number
  /** the keyed hashes' key (default: a random one, nothing is kept) */
  hashKey?: string
}

export interface OfflineScorer {
  scorer: Scorer
  ruleSet: CompiledRuleSet
  intel: IpIntel
  /** the in-process decision log the scorer records into */
  log: MemoryDecisionLog
  /** what the scorer would have logged as warnings */
  warnings: string[]
  close: () => Promise<void>
}

/**
 * The service's scorer (src/scoring/score-charge.ts) wired for one process without a server:
 * the rule set folder, the IP data, the disposable-domain list, and the in-process velocity store
 * and decision log (charges scored in one run count towards each other's velocity, as they would
 * in the service).
 */
export async function createOfflineScorer (options: OfflineScorerOptions): Promise<OfflineScorer> {
  const ruleSet = await loadRuleSet(options.rulesDir)
  const { reload: _reload, ...data } = options.data
  const intel = await createIpIntel(data)
  const view = ruleSetView(ruleSet)
  const hashKey = options.hashKey ?? randomBytes(32).toString('base64url')
  const log = createMemoryDecisionLog({ keys: createDecisionKeys(hashKey, 1), ...(options.now !== undefined ? { now: options.now } : {}) })
  const inProcess = memoryReservations(log, createMemoryVelocityStore())
  const overrides = options.velocityOverrides ?? {}
  const reservations: ChargeReservations = {
    async reserveAndCount (input) {
      const result = await inProcess.reserveAndCount(input)
      return result.status === 'reserved' && !(result.velocity instanceof Error)
        ? { status: 'reserved', velocity: { ...result.velocity, ...overrides } }
        : result
    },
    lookup: inProcess.lookup
  }
  const warnings: string[] = []
  // with a City database: the cities table for ip_billing_distance_km (an offline run has time to load it)
  const cities = intel.locates
    ? await loadCityCoordinates().catch((err: unknown) => { warnings.push(`cities table not loaded (${err instanceof Error ? err.message : String(err)}): ip_billing_distance_km stays unknown`); return undefined })
    : undefined
  const scorer = createScorer({
    lookupIp: (ip) => intel.lookupWithLocation(ip),
    dataVersions: () => sharedDataVersions(intel.sources),
    disposable: loadDisposableDomains(),
    device: createDeviceSignals(),
    cities: () => cities,
    ruleSet: () => view,
    ruleSetByHash: (hash) => hash === view.hash ? view : undefined,
    keys: log.keys,
    fingerprint: createBodyFingerprint(hashKey, shapeOf(ChargeContextSchema)),
    digestOf: createSnapshotHash(hashKey),
    reservations,
    // recorded at once: no outbox in one process that ends with the command
    decisions: {
      record: (entry) => { log.append([entry]).catch(() => {}); return true },
      pending: () => undefined,
      decode: (entry) => decodeRecord(entry.encoded, entry.key.decisionId, entry.context, entry.index.identifiers)
    },
    deadlineMs: 5_000,
    pendingMs: DEFAULT_PENDING_MS,
    log: { warn: (_obj, msg) => { warnings.push(msg) } },
    ...(options.now !== undefined ? { now: options.now } : {})
  })
  return { scorer, ruleSet, intel, log, warnings, close: () => intel.close() }
}
