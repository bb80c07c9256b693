import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../../src/config/load-config.js'

const stateDir = (t: { teardown: (fn: () => void) => void }): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return path.join(dir, 'state')
}

t.test('RISKGATE_MIDTRANS_SERVER_KEYS: comma-separated, trimmed; unset or empty: none', async (t) => {
  const both = await loadConfig({ RISKGATE_DEV_STATE_DIR: stateDir(t), RISKGATE_MIDTRANS_SERVER_KEYS: ' SB-Mid-server-new , SB-Mid-server-old,' })
  t.same(both.config.midtransServerKeys, ['SB-Mid-server-new', 'SB-Mid-server-old'])
  t.equal((await loadConfig({ RISKGATE_DEV_STATE_DIR: stateDir(t) })).config.midtransServerKeys, undefined)
  t.equal((await loadConfig({ RISKGATE_DEV_STATE_DIR: stateDir(t), RISKGATE_MIDTRANS_SERVER_KEYS: '' })).config.midtransServerKeys, undefined)
})
