import t from 'tap'
import { Environment } from '@marcbachmann/cel-js'
import { findConditionReads } from '../../src/engine/cel-reads.js'

// parsing only (no type check): the reads are found from the syntax tree
const env = new Environment({ unlistedVariablesAreDyn: true })
const reads = (expression: string) => findConditionReads(env.parse(expression).ast)

t.test('feature paths read by a condition', async (t) => {
  const cases: Array<[string, string[], string[]]> = [
    ['ip.is_tor', ['ip.is_tor'], []],
    ['ip.country != card.country', ['ip.country', 'card.country'], []],
    ['amount > 100 && amount < 200', ['amount'], []],
    ['metadata["campaign"] == "x"', ['metadata.campaign'], []],
    ['velocity.charges_per_ip_1h > 5', ['velocity.charges_per_ip_1h'], []],
    ['email.address in lists.blocked', ['email.address'], []],
    ['has(card.country) && card.country == "TH"', [], ['card.country']],
    ['has(card.country) && ip.country == "TH"', ['ip.country'], ['card.country']],
    ['items.exists(i, i.category == "gift" && i.quantity > amount)', ['items', 'amount'], []],
    ['items.exists(ip, ip.name == "x")', ['items'], []],
    ['cel.bind(ip, amount, ip > 3) && ip.is_tor', ['amount', 'ip.is_tor'], []],
    ['items[0].name == "x"', ['items'], []],
    ['description.lowerAscii().contains("gift")', ['description'], []],
    ['[ip.country, card.country].exists(c, c == "RU")', ['ip.country', 'card.country'], []],
    ['{"a": billing.city}["a"] == "x"', ['billing.city'], []],
    ['-amount < 0 ? !ip.is_vpn : false', ['amount', 'ip.is_vpn'], []],
    ['size(lists.blocked) > 0', [], []]
  ]
  for (const [expression, paths, hasPaths] of cases) {
    const found = reads(expression)
    t.same(found.paths, paths, `${expression}: paths`)
    t.same(found.hasPaths, hasPaths, `${expression}: has() paths`)
  }
})

t.test('velocity and list references carry the position of their name', async (t) => {
  const found = reads('velocity.a > 1 && email.address in lists.blocked')
  t.same(found.velocity, [{ name: 'a', start: 9, end: 10 }])
  t.same(found.lists, [{ name: 'blocked', start: 41, end: 48 }])
  t.same([...found.roots].sort(), ['email', 'lists', 'velocity'])
})
