import type { Address } from '../schemas/charge.js'

const POSTAL_SEPARATORS = /[\s\-.]+/g

/**
 * A postal code as addresses are compared: upper case, without spaces, dashes or dots
 * (`sw1a 1aa` and `SW1A1AA`, `100-0001` and `1000001` alike); for the United States the 5-digit
 * ZIP code alone (`94105-1234` is `94105`). Empty when nothing is left.
 */
export function normalizePostalCode (postalCode: string, country: string | undefined): string {
  const code = postalCode.replace(POSTAL_SEPARATORS, '').toUpperCase()
  return country === 'US' && /^[0-9]{9}$/.test(code) ? code.slice(0, 5) : code
}

/**
 * Whether the billing and shipping addresses are in the same place: the same country and the same
 * postal code (normalized). Unknown (undefined) when either address lacks its country or postal
 * code: a charge without a shipping address (digital goods) says nothing either way.
 */
export function billingShippingMatch (billing: Address | undefined, shipping: Address | undefined): boolean | undefined {
  const billingCountry = billing?.country
  const shippingCountry = shipping?.country
  const billingCode = billing?.postal_code
  const shippingCode = shipping?.postal_code
  if (billingCountry === undefined || shippingCountry === undefined || billingCode === undefined || shippingCode === undefined) return undefined
  const b = normalizePostalCode(billingCode, billingCountry)
  const s = normalizePostalCode(shippingCode, shippingCountry)
  if (b === '' || s === '') return undefined
  return billingCountry === shippingCountry && b === s
}
