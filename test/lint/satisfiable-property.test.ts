import t from 'tap'
import fc from 'fast-check'
import { createCelEnvironment } from '../../src/engine/cel-environment.js'
import { evaluate } from '../../src/engine/evaluate.js'
import { featuresOf } from '../../src/lint/common-charge.js'
import { domainOf } from '../../src/lint/domains.js'
import { toFormula } from '../../src/lint/formula.js'
import { satisfiable } from '../../src/lint/satisfiable.js'
import type { SolverContext } from '../../src/lint/satisfiable.js'
import { compileOk, ruleSetText } from '../helpers/rule-engine.js'

const HEADER = 'velocity:\n  c: { count: charges, by: ip, window: 1h }'
const env = createCelEnvironment(['c'], [])

// every charge of this grid: the values the generated conditions compare with, and around them
const GRID = (() => {
  const out: Array<Record<string, string | number | boolean>> = []
  for (const amount of [0, 1, 499, 500, 501, 1000, 1001, 100000]) {
    for (const currency of ['THB', 'USD']) {
      for (const country of ['TH', 'US']) {
        for (const tor of [true, false]) {
          for (const c of [1, 2, 5, 6, 10]) out.push({ amount, currency, 'ip.country': country, 'ip.is_tor': tor, 'velocity.c': c })
        }
      }
    }
  }
  return out
})()

const leaf = fc.oneof(
  fc.tuple(fc.constantFrom('<', '<=', '>', '>=', '==', '!='), fc.constantFrom(-1, 0, 1, 500, 1000, 100000)).map(([op, k]) => `amount ${op} ${k}`),
  fc.tuple(fc.constantFrom('<', '<=', '>', '>=', '==', '!='), fc.constantFrom(0, 1, 5, 6)).map(([op, k]) => `velocity.c ${op} ${k}`),
  fc.constantFrom('currency == "THB"', 'currency != "USD"', 'currency == "thb"', 'ip.country == "TH"', 'ip.country in ["TH", "SG"]',
    'ip.is_tor', '!ip.is_tor', 'true', 'false')
)
const condition = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} && ${b})`),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} || ${b})`),
    tie('node').map((a) => `!(${a})`),
    fc.tuple(tie('node'), tie('node'), tie('node')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`))
})).node

t.test('the solver never calls a condition impossible when some charge fires it, and its models fire it', async (t) => {
  fc.assert(fc.property(condition, (when) => {
    const ruleSet = compileOk(ruleSetText(`  - id: r\n    when: ${JSON.stringify(when)}\n    score: 10`, HEADER))
    const ctx: SolverContext = { domain: (p) => domainOf(p, ruleSet.velocity), list: () => undefined }
    const formula = toFormula(env.parse(when).ast)
    const fires = (values: Record<string, string | number | boolean>): boolean =>
      evaluate(ruleSet, featuresOf(values)).reasons.some((r) => r.rule === 'r')
    const result = satisfiable(formula, ctx)
    if (result.status === 'unsat') {
      const witness = GRID.find(fires)
      if (witness !== undefined) throw new Error(`${when}: called impossible (${result.reason}) but fires on ${JSON.stringify(witness)}`)
    } else if (result.status === 'sat') {
      const values = { ...GRID[0], ...Object.fromEntries(result.model) }
      if (!fires(values)) throw new Error(`${when}: the model ${JSON.stringify(values)} does not fire it`)
    }
    if (satisfiable({ kind: 'not', part: formula }, ctx).status === 'unsat') {
      const counter = GRID.find((g) => !fires(g))
      if (counter !== undefined) throw new Error(`${when}: called always true but does not fire on ${JSON.stringify(counter)}`)
    }
  }), { numRuns: 300, seed: 20261122 })
  t.pass('300 generated conditions')
})
