import t from 'tap'
import { createRuleAuditLog } from '../../src/audit/rule-audit-log.js'
import { ReloadFailedError, reloadWithAudit } from '../../src/audit/reload-with-audit.js'
import type { ReloadableRules } from '../../src/audit/reload-with-audit.js'
import type { CompiledRuleSet } from '../../src/engine/ruleset.js'
import { RuleSetError } from '../../src/ruleset/rule-set-error.js'
import { compileOk, ruleSetText } from '../helpers/rule-engine.js'

const v1 = compileOk(ruleSetText('  - id: a\n    when: ip.is_tor\n    score: 10').replace('test.1', 'v1'))
const v2 = compileOk(ruleSetText('  - id: b\n    when: ip.is_tor\n    score: 20').replace('test.1', 'v2'))
const at = new Date('2026-11-21T10:00:00.000Z')

function holder (next: () => Promise<CompiledRuleSet>): ReloadableRules {
  let current = v1
  return {
    get current () { return current },
    async reload () {
      current = await next()
      return current
    }
  }
}

function logger () {
  const lines: Array<{ level: string, msg: string }> = []
  const push = (level: string) => (_obj: object, msg: string) => { lines.push({ level, msg }) }
  return { lines, info: push('info'), warn: push('warn'), error: push('error') }
}

t.test('applied, with who and when', async (t) => {
  const audit = createRuleAuditLog({ redis: null })
  const log = logger()
  const result = await reloadWithAudit(holder(async () => v2), audit, 'ops', log, () => at)
  t.same(result, {
    audited: true,
    entry: { at: at.toISOString(), actor: 'ops', result: 'applied', previous: { version: 'v1', hash: v1.hash }, loaded: { version: 'v2', hash: v2.hash }, errors: [] }
  })
  t.same(await audit.latest(10), [result.entry])
  t.equal(log.lines[0]?.msg, 'rule set reloaded')
})

t.test('refused: the errors are kept, the old set stays', async (t) => {
  const audit = createRuleAuditLog({ redis: null })
  const rules = holder(async () => { throw new RuleSetError([{ file: 'rules/ruleset.yaml', line: 3, column: 7, rule: 'x', message: 'bad' }]) })
  const result = await reloadWithAudit(rules, audit, 'SIGHUP', logger(), () => at)
  t.equal(result.entry.result, 'refused')
  t.same(result.entry.errors, ['rules/ruleset.yaml:3:7 rule x: bad'])
  t.equal(result.entry.loaded, null)
  t.equal(rules.current, v1)
})

t.test('an audit log that cannot be written does not stop the reload', async (t) => {
  const log = logger()
  const result = await reloadWithAudit(holder(async () => v2), { append: async () => { throw new Error('Connection is closed.') } }, 'ops', log)
  t.equal(result.audited, false)
  t.equal(result.entry.result, 'applied')
  t.ok(log.lines.some((l) => l.level === 'error' && l.msg.includes('audit log')))
})

t.test('a fault that is not a rule set error is audited as failed and thrown', async (t) => {
  const audit = createRuleAuditLog({ redis: null })
  await t.rejects(reloadWithAudit(holder(async () => { throw new TypeError('boom') }), audit, 'ops', logger()), ReloadFailedError)
  const [entry] = await audit.latest(1)
  t.equal(entry?.result, 'failed')
  t.notOk(JSON.stringify(entry).includes('boom'), 'the fault is logged, not audited')
})
