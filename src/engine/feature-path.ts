import type { Features } from './features.js'

export type FeatureValue = string | number | boolean

/**
 * Reads a dotted feature path (`ip.country`, `card.fingerprint`, `amount`) from the features.
 * Returns undefined when any segment is absent: an unknown value, never a default.
 */
export function readFeaturePath (features: Features, path: string): FeatureValue | undefined {
  let node: unknown = features
  for (const segment of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[segment]
  }
  return typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean'
    ? node
    : undefined
}

/** readFeaturePath for one path, split once: for paths read on every charge */
export function featurePathReader (path: string): (features: Features) => FeatureValue | undefined {
  const segments = path.split('.')
  return (features) => {
    let node: unknown = features
    for (let i = 0; i < segments.length; i++) {
      if (node === null || typeof node !== 'object') return undefined
      node = (node as Record<string, unknown>)[segments[i] as string]
    }
    return typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean'
      ? node
      : undefined
  }
}
