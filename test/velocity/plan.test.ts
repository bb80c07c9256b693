import t from 'tap'
import { createVelocityPlanner, planVelocity } from '../../src/velocity/plan.js'
import { count, distinct, exampleSpecs, features, sum } from '../helpers/velocity-fixtures.js'

t.test('groups counters by entity, the `by` paths sorted', async (t) => {
  const plan = createVelocityPlanner([
    count('ip_1h', ['ip.address'], 3600),
    count('ip_1m', ['ip.address'], 60),
    count('ip_1h_again', ['ip.address'], 3600),
    sum('amount_ip_1d', 'amount', ['ip.address'], 86_400),
    count('bin_ip', ['ip.address', 'card.bin'], 3600),
    count('ip_bin', ['card.bin', 'ip.address'], 60)
  ])(features({ ip: '198.51.100.1', bin: '424242', amount: 700 }))
  t.same(plan, {
    entities: [
      {
        by: ['ip.address'],
        values: ['198.51.100.1'],
        counts: [{ windowMs: 3_600_000, names: ['ip_1h', 'ip_1h_again'] }, { windowMs: 60_000, names: ['ip_1m'] }],
        distinct: [],
        sums: [{ of: 'amount', value: 700, windows: [{ windowMs: 86_400_000, names: ['amount_ip_1d'] }] }],
        retentionMs: 86_400_000
      },
      {
        by: ['card.bin', 'ip.address'],
        values: ['424242', '198.51.100.1'],
        counts: [{ windowMs: 3_600_000, names: ['bin_ip'] }, { windowMs: 60_000, names: ['ip_bin'] }],
        distinct: [],
        sums: [],
        retentionMs: 3_600_000
      }
    ],
    unknown: []
  })
})

const cases: Array<{ name: string, charge: Parameters<typeof features>[0], entities: string[][], unknown: string[] }> = [
  {
    name: 'everything known',
    charge: { ip: '198.51.100.1', email: 'a@example.com', fingerprint: 'fp', bin: '424242' },
    entities: [['ip.address'], ['email.address'], ['card.fingerprint'], ['card.bin', 'ip.address']],
    unknown: []
  },
  {
    name: 'no email, no card',
    charge: { ip: '198.51.100.1' },
    entities: [['ip.address']],
    unknown: ['cards_per_email_24h', 'amount_per_card_24h', 'charges_per_bin_ip_1h']
  },
  {
    name: 'card without a BIN: the composite key is unknown',
    charge: { ip: '198.51.100.1', fingerprint: 'fp' },
    entities: [['ip.address'], ['card.fingerprint']],
    unknown: ['cards_per_email_24h', 'charges_per_bin_ip_1h']
  },
  {
    name: 'an empty string is unknown',
    charge: { ip: '198.51.100.1', fingerprint: '' },
    entities: [['ip.address']],
    unknown: ['cards_per_email_24h', 'amount_per_card_24h', 'charges_per_bin_ip_1h']
  }
]
for (const c of cases) {
  t.test(`unknown entities: ${c.name}`, async (t) => {
    const plan = planVelocity(exampleSpecs, features(c.charge))
    t.same(plan.entities.map((e) => e.by), c.entities)
    t.same(plan.unknown, c.unknown)
  })
}

t.test('distinct and sum values: unknown ones are undefined (read without adding)', async (t) => {
  const specs = [
    distinct('cards_per_email', 'card.fingerprint', ['email.address'], 3600),
    sum('points', 'metadata.points', ['email.address'], 3600),
    distinct('countries', 'card.country', ['email.address'], 3600)
  ]
  const planner = createVelocityPlanner(specs)
  const known = planner(features({ email: 'a@example.com', fingerprint: 'fp', metadata: { points: 5 } })).entities[0]
  t.same(known?.distinct.map((d) => [d.of, d.value]), [['card.country', undefined], ['card.fingerprint', 'fp']], 'sorted by path')
  t.same(known?.sums.map((s) => [s.of, s.value]), [['metadata.points', 5]])
  const notNumber = planner(features({ email: 'a@example.com', metadata: { points: 'five' } })).entities[0]
  t.same(notNumber?.sums.map((s) => s.value), [undefined])
  t.same(notNumber?.distinct.map((d) => d.value), [undefined, undefined])
})

t.test('a distinct or sum counter without a value path is refused', async (t) => {
  t.throws(() => createVelocityPlanner([{ name: 'x', kind: 'sum', by: ['ip.address'], windowSeconds: 60 }]), /needs a value path/)
})

t.test('no counters: an empty plan', async (t) => {
  t.same(planVelocity([], features({})), { entities: [], unknown: [] })
})
