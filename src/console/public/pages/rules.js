// The live rule set (version, thresholds, rules, velocity counters, lists), the challenger staged
// beside it with what each decided on the recorded charges, and the reload audit.
import { get } from '../lib/api.js'
import { facts, h, replace, table } from '../lib/dom.js'
import { time, value } from '../lib/format.js'

function versionText (v) {
  return v === null || v === undefined ? '—' : `${v.version} (${String(v.hash).slice(0, 12)})`
}

function share (n) {
  return n === null || n === undefined ? '—' : `${(n * 100).toFixed(1)}%`
}

function rolloutText (c) {
  return c.mode === 'enforce' ? `enforced for ${c.percent}% (by ${c.by})` : 'shadow (never enforced)'
}

const DECISIONS = ['allow', 'review', 'block']

// the staged challenger beside the live set, and the live -> challenger comparison of the last 24 hours
function challengerSection (state, comparison) {
  const c = state.challenger
  if (c === null) {
    return h('section', { class: 'card', 'aria-labelledby': 'challenger-heading', id: 'challenger' },
      h('h2', { id: 'challenger-heading' }, 'Challenger'),
      h('p', { class: 'empty' }, 'No challenger rule set is staged (POST /v1/rules/challenger, scope admin).'))
  }
  const pair = comparison?.pairs.find((p) => p.challenger.hash === c.rule_set.hash)
  const sets = pair === undefined
    ? []
    : [['Live', pair.sets.live], ['Challenger', pair.sets.challenger]].map(([name, set]) => h('tr', null,
        h('th', { scope: 'row' }, `${name} ${set.version}`),
        ...DECISIONS.map((d) => h('td', { class: 'num' }, String(set.decisions[d]))),
        h('td', { class: 'num' }, String(set.fraud_caught)), h('td', { class: 'num' }, String(set.fraud_missed)),
        h('td', { class: 'num' }, String(set.good_blocked)), h('td', { class: 'num' }, share(set.precision)), h('td', { class: 'num' }, share(set.recall))))
  return h('section', { class: 'card', 'aria-labelledby': 'challenger-heading', id: 'challenger' },
    h('h2', { id: 'challenger-heading' }, 'Challenger'),
    facts([
      ['Version', c.rule_set.version],
      ['Hash', h('span', { class: 'mono' }, c.rule_set.hash)],
      ['Folder', c.rules_dir],
      ['Rollout', rolloutText(c)],
      ['Staged', `${time(c.staged_at)} by ${c.staged_by}`],
      ['Rules', String(c.rule_set.rules.length)],
      ['Review from score', String(c.rule_set.thresholds.review)],
      ['Block from score', String(c.rule_set.thresholds.block)]
    ]),
    comparison === null
      ? h('p', { class: 'error' }, 'The comparison could not be read.')
      : pair === undefined
        ? h('p', { class: 'empty', id: 'challenger-agreement' }, 'No charge recorded with this challenger in the last 24 hours.')
        : h('div', null,
          h('h3', null, 'On the charges recorded in the last 24 hours'),
          facts([
            ['Charges compared', String(pair.charges)],
            ['Agreement', h('span', { id: 'challenger-agreement' }, `${share(pair.agreement)} (${pair.agreed} of ${pair.charges})`)],
            ['Decided by the challenger', String(pair.decided_by.challenger)],
            ['Outcomes', `${pair.outcomes.fraud} fraud, ${pair.outcomes.good} good, ${pair.outcomes.unlabelled} unlabelled`]
          ]),
          table('Live decision (rows) against the challenger\'s (columns), last 24 hours', ['Live decision', ...DECISIONS],
            DECISIONS.map((l) => h('tr', null, h('th', { scope: 'row' }, l), ...DECISIONS.map((d) => h('td', { class: 'num' }, String(pair.matrix[l][d]))))),
            { id: 'challenger-matrix' }),
          table('What each set decided, and on labelled outcomes', ['Set', ...DECISIONS, 'Fraud caught', 'Fraud missed', 'Good blocked', 'Precision', 'Recall'],
            sets, { id: 'challenger-sets' })))
}

export async function renderRules (main, _param, { isCurrent }) {
  replace(main, h('h1', null, 'Rules'), h('p', { class: 'loading' }, 'Loading…'))
  let rules, audit, challenger
  let comparison = null
  try {
    [rules, audit, challenger] = await Promise.all([get('/v1/rules'), get('/v1/rules/audit', { limit: 50 }), get('/v1/rules/challenger')])
    if (challenger.challenger !== null) comparison = await get('/v1/rules/challenger/comparison').catch(() => null)
  } catch (err) {
    if (isCurrent()) replace(main, h('h1', null, 'Rules'), h('p', { class: 'error' }, `The rule set could not be read: ${err.message}`))
    return
  }
  if (!isCurrent()) return
  replace(main,
    h('h1', null, 'Rules'),
    h('section', { class: 'card', 'aria-labelledby': 'ruleset-heading' },
      h('h2', { id: 'ruleset-heading' }, 'Live rule set'),
      facts([
        ['Version', rules.version],
        ['Hash', h('span', { class: 'mono' }, rules.hash)],
        ['File', rules.file],
        ['Loaded', time(rules.loaded_at)],
        ['Review from score', String(rules.thresholds.review)],
        ['Block from score', String(rules.thresholds.block)]
      ])),
    challengerSection(challenger, comparison),
    h('section', { 'aria-labelledby': 'rules-heading' },
      h('h2', { id: 'rules-heading' }, 'Rules'),
      table('Rules in file order', ['Rule', 'Description', 'Condition (CEL)', 'Score or action', 'Mode'],
        rules.rules.map((r) => h('tr', null,
          h('th', { scope: 'row' }, r.id),
          h('td', null, r.description),
          h('td', null, h('code', null, r.when)),
          h('td', { class: 'num' }, r.action !== null ? r.action : value(r.score)),
          h('td', null, r.mode))), { id: 'rules-table' })),
    h('section', { 'aria-labelledby': 'velocity-counters-heading' },
      h('h2', { id: 'velocity-counters-heading' }, 'Velocity counters'),
      table('Counters the rules read', ['Counter', 'Kind', 'Of', 'By', 'Window'],
        rules.velocity.map((v) => h('tr', null,
          h('th', { scope: 'row' }, v.name), h('td', null, v.kind), h('td', null, v.of ?? '—'),
          h('td', null, v.by.join(' + ')), h('td', { class: 'num' }, `${v.window_seconds} s`))))),
    h('section', { 'aria-labelledby': 'lists-heading' },
      h('h2', { id: 'lists-heading' }, 'Lists'),
      table('Lists (their values are not shown)', ['List', 'File', 'Entries'],
        rules.lists.map((l) => h('tr', null, h('th', { scope: 'row' }, l.name), h('td', null, l.file), h('td', { class: 'num' }, String(l.size)))))),
    h('section', { 'aria-labelledby': 'audit-heading' },
      h('h2', { id: 'audit-heading' }, 'Reload audit'),
      audit.entries.length === 0
        ? h('p', { class: 'empty' }, 'No reload since the start.')
        : table('Reloads and challenger changes, newest first', ['Time', 'By', 'Result', 'Previous', 'Loaded', 'Errors'],
          audit.entries.map((e) => h('tr', null,
            h('td', null, time(e.at)), h('td', null, e.actor), h('td', null, e.action === undefined ? e.result : `challenger ${e.action}: ${e.result}`),
            h('td', null, versionText(e.previous)), h('td', null, versionText(e.loaded)),
            h('td', null, e.errors.length === 0 ? '—' : h('ul', null, e.errors.map((m) => h('li', null, m)))))), { id: 'audit-table' })))
}
