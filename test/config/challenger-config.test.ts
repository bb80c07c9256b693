import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ConfigError, loadConfig } from '../../src/config/load-config.js'

const stateDir = (t: { teardown: (fn: () => void) => void }): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return path.join(dir, 'state')
}

t.test('RISKGATE_CHALLENGER_RULES and _ROLLOUT', async (t) => {
  const dir = stateDir(t)
  t.equal((await loadConfig({ RISKGATE_DEV_STATE_DIR: dir })).config.challenger, undefined, 'none by default')
  t.equal((await loadConfig({ RISKGATE_DEV_STATE_DIR: dir, RISKGATE_CHALLENGER_RULES: '', RISKGATE_CHALLENGER_ROLLOUT: '' })).config.challenger, undefined, 'empty is unset')
  t.same((await loadConfig({ RISKGATE_DEV_STATE_DIR: dir, RISKGATE_CHALLENGER_RULES: './rules-next' })).config.challenger, { rulesDir: './rules-next', rollout: { mode: 'shadow' } }, 'shadow by default')
  t.same((await loadConfig({ RISKGATE_DEV_STATE_DIR: dir, RISKGATE_CHALLENGER_RULES: './rules-next', RISKGATE_CHALLENGER_ROLLOUT: 'enforce:25:card.fingerprint' })).config.challenger,
    { rulesDir: './rules-next', rollout: { mode: 'enforce', percent: 25, by: 'card.fingerprint' } })
  await t.rejects(loadConfig({ RISKGATE_DEV_STATE_DIR: dir, RISKGATE_CHALLENGER_RULES: './rules-next', RISKGATE_CHALLENGER_ROLLOUT: 'enforce:150' }), ConfigError)
  await t.rejects(loadConfig({ RISKGATE_DEV_STATE_DIR: dir, RISKGATE_CHALLENGER_ROLLOUT: 'enforce:10' }), { name: 'ConfigError', message: /without RISKGATE_CHALLENGER_RULES/ })
})
