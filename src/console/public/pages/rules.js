// The live rule set (version, thresholds, rules, velocity counters, lists) and its reload audit.
import { get } from '../lib/api.js'
import { facts, h, replace, table } from '../lib/dom.js'
import { time, value } from '../lib/format.js'

function versionText (v) {
  return v === null || v === undefined ? '—' : `${v.version} (${String(v.hash).slice(0, 12)})`
}

export async function renderRules (main, _param, { isCurrent }) {
  replace(main, h('h1', null, 'Rules'), h('p', { class: 'loading' }, 'Loading…'))
  let rules, audit
  try {
    [rules, audit] = await Promise.all([get('/v1/rules'), get('/v1/rules/audit', { limit: 50 })])
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
        : table('Reload attempts, newest first', ['Time', 'By', 'Result', 'Previous', 'Loaded', 'Errors'],
          audit.entries.map((e) => h('tr', null,
            h('td', null, time(e.at)), h('td', null, e.actor), h('td', null, e.result),
            h('td', null, versionText(e.previous)), h('td', null, versionText(e.loaded)),
            h('td', null, e.errors.length === 0 ? '—' : h('ul', null, e.errors.map((m) => h('li', null, m)))))), { id: 'audit-table' })))
}
