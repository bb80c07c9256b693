import t from 'tap'
import { anonymizerFromRecord, asnFromRecord, countryFromRecord } from '../../../src/signals/ip/record-fields.js'
import type { AnonymizerFields } from '../../../src/signals/ip/record-fields.js'

t.test('country from the GeoIP2 and flat shapes', async (t) => {
  const cases: Array<[Record<string, unknown>, string | undefined]> = [
    [{ country: { iso_code: 'GB' }, registered_country: { iso_code: 'US' } }, 'GB'],
    [{ registered_country: { iso_code: 'SE' } }, 'SE'],
    [{ country: { names: { en: 'Europe' } }, registered_country: { iso_code: 'FR' } }, 'FR'],
    [{ country_code: 'au' }, 'AU'],
    [{ country: 'GB' }, undefined], // not the GeoIP2 shape
    [{ country: { iso_code: 'GBR' } }, undefined],
    [{ country_code: 12 }, undefined],
    [{ city: { names: { en: 'Nowhere' } } }, undefined],
    [{}, undefined]
  ]
  for (const [record, want] of cases) t.equal(countryFromRecord(record), want, JSON.stringify(record))
})

t.test('ASN and organization from the ASN, ISP and traits shapes', async (t) => {
  const cases: Array<[Record<string, unknown>, { asn?: number, as_org?: string }]> = [
    [{ autonomous_system_number: 1221, autonomous_system_organization: 'Telstra Pty Ltd' }, { asn: 1221, as_org: 'Telstra Pty Ltd' }],
    [{ autonomous_system_number: 7018 }, { asn: 7018 }],
    [{ autonomous_system_number: 1221, autonomous_system_organization: 'Telstra Pty Ltd', isp: 'Telstra Internet', organization: 'Telstra Internet' }, { asn: 1221, as_org: 'Telstra Pty Ltd' }],
    [{ isp: 'TOT Public Company Limited', organization: 'TOT Public Company Limited' }, { as_org: 'TOT Public Company Limited' }],
    [{ isp: 'WifiNetCom' }, { as_org: 'WifiNetCom' }],
    [{ traits: { autonomous_system_number: 14671, autonomous_system_organization: 'FairPoint Communications' } }, { asn: 14671, as_org: 'FairPoint Communications' }],
    [{ autonomous_system_number: 'AS1' }, {}],
    [{ autonomous_system_number: 0 }, {}],
    [{ autonomous_system_organization: '' }, {}],
    [{}, {}]
  ]
  for (const [record, want] of cases) t.same(asnFromRecord(record), want, JSON.stringify(record))
})

const CLEAN: AnonymizerFields = {
  is_anonymous: false,
  is_anonymous_vpn: false,
  is_hosting_provider: false,
  is_public_proxy: false,
  is_residential_proxy: false,
  is_tor_exit_node: false
}

t.test('anonymizer flags: MaxMind flat flags, IP risk, nested anonymizer, traits', async (t) => {
  const cases: Array<[string, Record<string, unknown> | null, string, AnonymizerFields]> = [
    ['empty record: clean', {}, 'GeoIP2-Anonymous-IP', CLEAN],
    ['no record: clean', null, 'GeoIP2-Anonymous-IP', CLEAN],
    ['all flags', {
      is_anonymous: true, is_anonymous_vpn: true, is_hosting_provider: true, is_public_proxy: true, is_residential_proxy: true, is_tor_exit_node: true
    }, 'GeoIP2-Anonymous-IP', {
      is_anonymous: true, is_anonymous_vpn: true, is_hosting_provider: true, is_public_proxy: true, is_residential_proxy: true, is_tor_exit_node: true
    }],
    ['tor without is_anonymous still anonymous', { is_tor_exit_node: true }, 'x', { ...CLEAN, is_tor_exit_node: true, is_anonymous: true }],
    ['ip risk only', { ip_risk: 85 }, 'GeoIP2-IP-Risk', { ...CLEAN, ip_risk: 85 }],
    ['ip risk with flags', { ip_risk: 90, is_anonymous: true, is_anonymous_vpn: true, is_residential_proxy: true, is_tor_exit_node: true }, 'GeoIP2-IP-Risk',
      { ...CLEAN, ip_risk: 90, is_anonymous: true, is_anonymous_vpn: true, is_residential_proxy: true, is_tor_exit_node: true }],
    ['anonymous plus extras ignored', { anonymizer_confidence: 30, is_anonymous: true, is_anonymous_vpn: true, provider_name: 'foo' }, 'GeoIP-Anonymous-Plus',
      { ...CLEAN, is_anonymous: true, is_anonymous_vpn: true }],
    ['nested anonymizer object', { anonymizer: { confidence: 99, is_anonymous: true, is_public_proxy: true } }, 'x',
      { ...CLEAN, is_anonymous: true, is_public_proxy: true }],
    ['traits flags', { traits: { is_hosting_provider: true } }, 'x', { ...CLEAN, is_hosting_provider: true, is_anonymous: true }],
    ['residential proxy database: a record is a residential proxy', { provider_name: 'quickshift', anonymizer_confidence: 82 }, 'GeoIP-Residential-Proxy',
      { ...CLEAN, is_residential_proxy: true, is_anonymous: true }],
    ['residential proxy database, empty record', {}, 'GeoIP-Residential-Proxy', CLEAN],
    ['flags must be true, not truthy', { is_tor_exit_node: 'yes', is_anonymous: 1 }, 'x', CLEAN],
    ['non-numeric risk ignored', { ip_risk: '90' }, 'x', CLEAN]
  ]
  for (const [name, record, type, want] of cases) t.same(anonymizerFromRecord(record, type), want, name)
})
