import t from 'tap'
import { ClusterMessage, followedActor, isChallengerChange, isFollowed, isMessage, settingsAfter } from '../../src/cluster/messages.js'

t.test('a challenger change travels as a checked message', async (t) => {
  const stage = { action: 'stage', rulesDir: '/srv/rules-next', rollout: 'enforce:10:customer.id', hash: 'h' }
  t.ok(isChallengerChange(stage))
  t.ok(isChallengerChange({ action: 'drop' }))
  t.ok(isChallengerChange({ action: 'promote', rulesDir: '/srv/rules-next', hash: 'h' }))
  for (const bad of [null, 'stage', {}, { action: 'stage', rulesDir: '/x' }, { action: 'promote', hash: 'h' }, { action: 'reload' }, { action: 'stage', rulesDir: 1, rollout: 'shadow', hash: 'h' }]) {
    t.notOk(isChallengerChange(bad), JSON.stringify(bad))
  }
  const message = { type: ClusterMessage.CHALLENGER_CHANGED, actor: 'ops', change: stage }
  t.ok(isMessage(message, ClusterMessage.CHALLENGER_CHANGED))
  t.notOk(isMessage(message, ClusterMessage.FOLLOW_CHALLENGER))
  t.ok(isFollowed(followedActor('ops')), 'a followed change is not announced again')
})

t.test('a worker started after a change is given the settings the others serve with', async (t) => {
  t.same(settingsAfter({ action: 'stage', rulesDir: '/srv/rules-next', rollout: 'shadow', hash: 'h' }), { RISKGATE_CHALLENGER_RULES: '/srv/rules-next', RISKGATE_CHALLENGER_ROLLOUT: 'shadow' })
  t.same(settingsAfter({ action: 'drop' }), { RISKGATE_CHALLENGER_RULES: '', RISKGATE_CHALLENGER_ROLLOUT: '' }, 'empty: unset')
  t.same(settingsAfter({ action: 'promote', rulesDir: '/srv/rules-next', hash: 'h' }), { RISKGATE_RULES_DIR: '/srv/rules-next', RISKGATE_CHALLENGER_RULES: '', RISKGATE_CHALLENGER_ROLLOUT: '' })
})
