/**
 * Examples of the OpenAPI document (/docs): the README's charge, and the answer riskgate gave it
 * with its bundled data and default rules (recorded on 2026-12-04; ids and times differ per
 * call). "Try it out" sends the example charge as it is.
 */

export const CHARGE_EXAMPLE = {
  charge_id: 'chrg_test_001',
  amount: 250000,
  currency: 'THB',
  ip: '8.8.8.8',
  email: 'somchai@mailinator.com',
  customer_id: 'cus_42',
  description: '2x gift card',
  card: {
    bin: '424242',
    last4: '4242',
    country: 'TH',
    fingerprint: 'fp_7Hq2',
    brand: 'visa',
    funding: 'credit'
  },
  billing: {
    city: 'Bangkok',
    postal_code: '10110',
    country: 'TH'
  }
}

export const SCORE_RESPONSE_EXAMPLE = {
  decision_id: '46b8a6d6-79a0-8890-862c-bbd72242fefc',
  charge_id: 'chrg_test_001',
  decision: 'allow',
  score: 45,
  reasons: [
    {
      rule: 'ip_card_country_mismatch',
      description: "The IP's country differs from the card's issuing country",
      score: 15,
      action: null,
      values: {
        'ip.country': 'US',
        'card.country': 'TH'
      }
    },
    {
      rule: 'ip_billing_country_mismatch',
      description: "The IP's country differs from the billing address country",
      score: 10,
      action: null,
      values: {
        'ip.country': 'US',
        'billing.country': 'TH'
      }
    },
    {
      rule: 'disposable_email',
      description: 'The email address is at a disposable-address provider',
      score: 20,
      action: null,
      values: {
        'email.is_disposable': true
      }
    }
  ],
  shadow: {
    decision: 'allow',
    score: 45,
    reasons: []
  },
  skipped: [
    {
      rule: 'tor_exit',
      unknown: [
        'ip.is_tor'
      ]
    },
    {
      rule: 'public_proxy_or_vpn',
      unknown: [
        'ip.is_proxy',
        'ip.is_vpn'
      ]
    },
    {
      rule: 'residential_proxy',
      unknown: [
        'ip.is_residential_proxy'
      ]
    }
  ],
  signals: {
    ip: {
      address: '8.8.8.8',
      version: 4,
      is_private: false,
      country: 'US',
      asn: 15169,
      as_org: 'Google LLC',
      is_hosting: false
    },
    email: {
      address: 'somchai@mailinator.com',
      domain: 'mailinator.com',
      is_disposable: true
    },
    card: {
      bin: '424242',
      last4: '4242',
      country: 'TH',
      brand: 'visa',
      funding: 'credit',
      fingerprint: 'fp_7Hq2'
    },
    velocity: {
      charges_per_ip_1h: 1,
      cards_per_ip_24h: 1,
      charges_per_email_24h: 1,
      cards_per_email_24h: 1,
      charges_per_card_1h: 1,
      amount_per_card_24h: 250000,
      cards_per_bin_ip_1h: 1
    }
  },
  degraded: [],
  ruleset: {
    version: '2026-12-05.1',
    hash: '7dc37a574e6b68cde832656f496593211d905eceeb477551b9f3a40b0c73092d'
  },
  data: {
    country: '2026-06-17T19:51:40.000Z',
    asn: '2026-06-17T19:00:00.000Z',
    hosting: '2026-12-04T22:55:58.249Z'
  },
  replayed: false,
  took_ms: 6.905
}

export const OUTCOME_REQUEST_EXAMPLE = { label: 'chargeback', note: 'dispute opened by the issuer: reason code 10.4' }

export const CLOSE_REVIEW_EXAMPLE = { action: 'approve', note: 'called the shopper: genuine' }
