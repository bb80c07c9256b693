import type { Address } from '../../schemas/charge.js'
import type { CityCoordinates } from './city-coordinates.js'
import { distanceKm } from './geo-point.js'
import type { GeoPoint } from './geo-point.js'

/**
 * Kilometres between the IP's location and the billing address's city, as a whole number; unknown
 * (undefined) unless the IP has a location (a City database), the billing address has a city and
 * a country, and that city is found in the cities table.
 */
export function ipBillingDistanceKm (ipLocation: GeoPoint | undefined, billing: Address | undefined, cities: CityCoordinates | undefined): number | undefined {
  if (ipLocation === undefined || cities === undefined || billing?.city === undefined || billing.country === undefined) return undefined
  const city = cities.find(billing.country, billing.city)
  return city === undefined ? undefined : distanceKm(ipLocation, city)
}
