import t from 'tap'
import { LintCode } from '../../src/lint/finding.js'
import { lintRuleSet } from '../../src/lint/lint-ruleset.js'
import { compileOk, RULESET_FILE, ruleSetText } from '../helpers/rule-engine.js'

function neverFires (when: string): string[] {
  const text = ruleSetText(`  - id: r\n    when: ${when}\n    score: 10`)
  return lintRuleSet({ ruleSet: compileOk(text), file: RULESET_FILE, text }).filter((f) => f.code === LintCode.NEVER_FIRES).map((f) => f.message)
}

t.test('connection type, language and distance: comparisons that can never be true are errors', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['ip.connection_type == "cellular"', /one of MaxMind's connection types \(Cable\/DSL, Cellular, Corporate, Satellite, Dialup\)/],
    ['device.language == "id-ID"', /lower-case primary language subtag/],
    ['device.language in ["EN", "TH"]', /lower-case primary language subtag/],
    ['ip_billing_distance_km < 0', /kilometres along the Earth/]
  ]
  for (const [when, message] of cases) t.match(neverFires(when), [message], when)
})

t.test('the values riskgate gives are satisfiable', async (t) => {
  for (const when of ['ip.connection_type == "Cellular"', 'device.language == "th"', 'ip_billing_distance_km >= 1000', 'device.is_bot && !billing_shipping_match']) {
    t.same(neverFires(when), [], when)
  }
})
