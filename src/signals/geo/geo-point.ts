/** A point on the Earth, in degrees (WGS 84). */
export interface GeoPoint {
  latitude: number
  longitude: number
}

const EARTH_RADIUS_KM = 6371.0088
const RADIANS = Math.PI / 180

/**
 * The great-circle distance between two points (haversine formula on a sphere of the Earth's mean
 * radius, 6,371 km), in whole kilometres, rounded. The sphere is within 0.5% of the ellipsoid:
 * far finer than what an IP location is worth.
 */
export function distanceKm (a: GeoPoint, b: GeoPoint): number {
  const dLat = (b.latitude - a.latitude) * RADIANS
  const dLon = (b.longitude - a.longitude) * RADIANS
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * RADIANS) * Math.cos(b.latitude * RADIANS) * Math.sin(dLon / 2) ** 2
  return Math.round(2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(s))))
}

/** True for finite degrees inside the latitude and longitude ranges. */
export function isGeoPoint (latitude: unknown, longitude: unknown): boolean {
  return typeof latitude === 'number' && typeof longitude === 'number' &&
    Number.isFinite(latitude) && Number.isFinite(longitude) &&
    latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180
}
