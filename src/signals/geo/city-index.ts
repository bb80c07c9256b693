import { loadCityCoordinates } from './city-coordinates.js'
import type { CityCoordinates } from './city-coordinates.js'

/**
 * The cities table, loaded once and only when wanted: about 10 MB of heap and a few hundred
 * milliseconds to read, so a riskgate whose IP data has no locations never pays for it.
 */
export interface CityIndex {
  /**
   * The table, or undefined while it is not loaded. The first call starts loading it in the
   * background and answers undefined (a charge never waits for it); so does every call after a
   * failed load.
   */
  get: () => CityCoordinates | undefined
  /** Loads it now (once; later calls share the first load). Rejects when it cannot be read. */
  load: () => Promise<CityCoordinates>
}

export function createCityIndex (options: {
  loader?: () => Promise<CityCoordinates>
  /** told once when the table cannot be loaded */
  onError?: (err: unknown) => void
} = {}): CityIndex {
  const loader = options.loader ?? (() => loadCityCoordinates())
  let cities: CityCoordinates | undefined
  let loading: Promise<CityCoordinates> | undefined
  const load = (): Promise<CityCoordinates> => {
    loading ??= loader().then((loaded) => {
      cities = loaded
      return loaded
    }, (err: unknown) => {
      options.onError?.(err)
      throw err
    })
    return loading
  }
  return {
    get () {
      if (cities === undefined && loading === undefined) load().catch(() => {})
      return cities
    },
    load
  }
}
