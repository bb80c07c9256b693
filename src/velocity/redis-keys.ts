/** Prefix of every velocity key; bump the version when the layout changes. */
export const DEFAULT_VELOCITY_KEY_PREFIX = 'rg:v2:vel:'

export function validateKeyPrefix (prefix: string): void {
  if (/[{}\s]/.test(prefix)) throw new Error('a Redis key prefix must not contain braces or spaces')
}

/**
 * The hash holding every ring (count and sum windows) of one entity: `<prefix>{<entity>}`. The
 * `{...}` hash tag puts all the keys of an entity in one Cluster slot.
 */
export function entityHashKey (prefix: string, entity: string): string {
  return `${prefix}{${entity}}`
}

/** The sorted set of one distinct series of an entity: `<prefix>{<entity>}:d:<value path>`. */
export function distinctKey (prefix: string, entity: string, of: string): string {
  return `${prefix}{${entity}}:d:${of}`
}
