import { CelScalar, SCALAR_PATHS } from '../engine/feature-catalog.js'
import { VelocityKind } from '../engine/velocity-spec.js'
import type { VelocityCounterSpec } from '../engine/velocity-spec.js'

/**
 * The values a feature path can take once riskgate has normalized a charge (src/scoring/,
 * src/signals/): what makes `currency == "thb"` or `velocity.charges_per_ip_1h == 0` a comparison
 * that can never be true.
 */
export type Domain =
  | { kind: 'number', integer: boolean, min?: number, max?: number, values?: readonly number[], why: string }
  | { kind: 'string', test: (value: string) => boolean, why: string, samples: readonly string[] }
  | { kind: 'bool' }
  | { kind: 'any' }

const UPPER_COUNTRY = { kind: 'string', test: (v: string) => /^[A-Z]{2}$/.test(v), why: 'an upper-case ISO 3166 alpha-2 code', samples: ['TH', 'US', 'SG'] } as const
const LOWER_TRIMMED = (what: string, samples: string[]): Domain => ({
  kind: 'string', test: (v) => v === v.trim().toLowerCase(), why: `lower-case (riskgate lower-cases ${what})`, samples
})

/** what GeoIP2-Connection-Type databases hold (Dialup in older builds) */
const CONNECTION_TYPES: readonly string[] = ['Cable/DSL', 'Cellular', 'Corporate', 'Satellite', 'Dialup']

const FIXED: Readonly<Record<string, Domain>> = {
  amount: { kind: 'number', integer: true, min: 0, why: 'an amount in minor units, never negative' },
  item_count: { kind: 'number', integer: true, min: 0, why: 'a total quantity, never negative' },
  currency: { kind: 'string', test: (v) => /^[A-Z]{3}$/.test(v), why: 'an upper-case ISO 4217 code', samples: ['THB', 'USD', 'SGD'] },
  'ip.version': { kind: 'number', integer: true, values: [4, 6], why: '4 or 6' },
  'ip.asn': { kind: 'number', integer: true, min: 0, max: 4_294_967_295, why: 'an AS number (0..4294967295)' },
  'ip.risk': { kind: 'number', integer: false, min: 0, max: 100, why: 'a risk score from 0 to 100' },
  'ip.country': UPPER_COUNTRY,
  'card.country': UPPER_COUNTRY,
  'billing.country': UPPER_COUNTRY,
  'shipping.country': UPPER_COUNTRY,
  'card.bin': { kind: 'string', test: (v) => /^[0-9]{6,8}$/.test(v), why: '6 to 8 digits', samples: ['424242', '545454'] },
  'card.last4': { kind: 'string', test: (v) => /^[0-9]{4}$/.test(v), why: '4 digits', samples: ['4242', '0005'] },
  'card.brand': LOWER_TRIMMED('card brands', ['visa', 'mastercard']),
  'card.funding': LOWER_TRIMMED('card funding types', ['credit', 'debit']),
  'email.address': { kind: 'string', test: (v) => v === v.trim().toLowerCase() && v.includes('@'), why: 'a lower-case address with an @ (riskgate lower-cases emails)', samples: ['somchai@example.com', 'buyer@example.net'] },
  'email.domain': { kind: 'string', test: (v) => v === v.trim().toLowerCase() && !v.includes('@'), why: 'a lower-case domain without @ (riskgate lower-cases emails)', samples: ['example.com', 'example.net'] },
  'ip.connection_type': { kind: 'string', test: (v) => CONNECTION_TYPES.includes(v), why: `one of MaxMind's connection types (${CONNECTION_TYPES.join(', ')})`, samples: ['Cellular', 'Cable/DSL'] },
  'device.language': { kind: 'string', test: (v) => /^[a-z]{2,8}$/.test(v), why: 'a lower-case primary language subtag (riskgate lower-cases it: "id", not "id-ID")', samples: ['th', 'en'] },
  ip_billing_distance_km: { kind: 'number', integer: true, min: 0, max: 20_016, why: 'kilometres along the Earth, 0 to 20,016' }
}

function velocityDomain (spec: VelocityCounterSpec): Domain {
  switch (spec.kind) {
    case VelocityKind.COUNT:
      return { kind: 'number', integer: true, min: 1, why: 'a count that includes the charge being scored (at least 1)' }
    case VelocityKind.DISTINCT:
      return { kind: 'number', integer: true, min: 0, why: 'a number of distinct values, never negative' }
    default:
      return { kind: 'number', integer: true, min: 0, why: 'a sum of non-negative values' }
  }
}

/** The domain of a scalar feature path, or `any` for paths riskgate says nothing about (metadata). */
export function domainOf (path: string, velocity: readonly VelocityCounterSpec[]): Domain {
  const fixed = FIXED[path]
  if (fixed !== undefined) return fixed
  if (path.startsWith('velocity.')) {
    const spec = velocity.find((s) => `velocity.${s.name}` === path)
    return spec === undefined ? { kind: 'any' } : velocityDomain(spec)
  }
  switch (SCALAR_PATHS.get(path)) {
    case CelScalar.BOOL: return { kind: 'bool' }
    case CelScalar.INT: return { kind: 'number', integer: true, why: 'an integer' }
    case CelScalar.DOUBLE: return { kind: 'number', integer: false, why: 'a number' }
    case CelScalar.STRING: return { kind: 'string', test: () => true, why: 'a string', samples: ['a', 'b'] }
    default: return { kind: 'any' }
  }
}
