import t from 'tap'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { runCli } from '../../src/cli/main.js'
import type { ScoreResponse } from '../../src/schemas/decision.js'
import { buildTestApp, charge, rootDir, scoreAuth, testData, TOR_EXIT } from '../helpers/app.js'
import { captureIo } from '../helpers/cli-io.js'

/** the environment that points the CLI at the same IP data the test app uses */
function dataEnv (t: Parameters<typeof testData>[0]): Record<string, string> {
  const data = testData(t)
  return {
    RISKGATE_MMDB_COUNTRY: data.countryDb ?? '',
    RISKGATE_MMDB_ASN: data.asnDb ?? '',
    RISKGATE_MMDB_ANONYMOUS: data.anonymousDb ?? '',
    RISKGATE_TOR_EXITS_FILE: data.torExitsFile ?? ''
  }
}

/** what must be identical between the service and the CLI (ids and timings differ) */
function comparable (response: ScoreResponse): Partial<ScoreResponse> {
  const { decision_id: _id, took_ms: _took, data: _data, ...rest } = response
  return rest
}

t.test('scores exactly as POST /v1/score does', async (t) => {
  const env = dataEnv(t)
  const { app } = await buildTestApp(t)
  // each charge has its own IP, email and card: the service's counters start from zero for each,
  // as the CLI's do
  const bodies = [
    charge({ ip: TOR_EXIT, amount: 2_500_000, email: 'buyer@mailinator.com', card: { bin: '424242', country: 'AU', fingerprint: 'fp_s1' } }),
    charge({ ip: '81.2.69.160', email: 'a@example.com', card: { fingerprint: 'fp_s2' } }),
    charge({ ip: '3.1.2.3', email: 'b@example.com', card: { bin: '424242', country: 'TH', fingerprint: 'fp_s3' } }),
    charge({ ip: '192.168.1.10', email: 'blocked.shopper@example.com', card: { fingerprint: 'fp_s4' } })
  ]
  for (const body of bodies) {
    const served = (await app.inject({ method: 'POST', url: '/v1/score', headers: scoreAuth, payload: body })).json() as ScoreResponse
    const io = captureIo({ cwd: rootDir, env, stdin: JSON.stringify(body) })
    t.equal(await runCli(['score', '--json'], io), 0, io.err())
    const offline = JSON.parse(io.out()) as ScoreResponse
    t.same(comparable(offline), comparable(served), `same decision, score, reasons, skipped and signals for ${String(body.ip)}`)
    t.same(Object.keys(offline.data).sort(), Object.keys(served.data).sort())
  }
})

t.test('the human-readable form shows decision, score, each reason with its values, skipped rules and signals', async (t) => {
  const env = dataEnv(t)
  const dir = t.testdir({ 'charge.json': JSON.stringify(charge({ ip: TOR_EXIT, card: { bin: '424242', country: 'TH', fingerprint: 'fp_1' } })) })
  const io = captureIo({ cwd: dir, env: { ...env, RISKGATE_RULES_DIR: path.join(rootDir, 'rules') } })
  t.equal(await runCli(['score', 'charge.json'], io), 0)
  const out = io.out()
  t.match(out, /^charge ch_test_\d+_\d+: (REVIEW|BLOCK), score \d+ {2}\(rule set 2026-12-05\.1, [0-9a-f]{12}\)$/m)
  t.match(out, /^ {2}\+50 +tor_exit +Shopper's IP is a Tor exit node\n {2}.* ip\.is_tor = true$/m)
  t.match(out, /^ {2}\+15 +ip_card_country_mismatch .*\n.*ip\.country = "DE", card\.country = "TH"$/m)
  t.match(out, /^signals:\n {2}ip {8}address=185\.220\.101\.7 {2}version=4/m)
  t.match(out, /^ {2}velocity {2}charges_per_ip_1h=1/m)
  t.match(out, /^data: country /m)
})

t.test('several charges are scored in order and count towards each other\'s velocity', async (t) => {
  const env = dataEnv(t)
  const lines = [1, 2, 3].map(() => JSON.stringify(charge({ ip: '1.128.0.77' }))).join('\n')
  const io = captureIo({ cwd: rootDir, env, stdin: lines + '\n' })
  t.equal(await runCli(['score', '-', '--json'], io), 0)
  const responses = io.out().trim().split('\n').map((l) => JSON.parse(l) as ScoreResponse)
  t.same(responses.map((r) => r.signals.velocity?.charges_per_ip_1h), [1, 2, 3])
  const array = captureIo({ cwd: rootDir, env, stdin: JSON.stringify([charge(), charge()]) })
  t.equal(await runCli(['score'], array), 0)
  t.equal(array.out().match(/^charge /gm)?.length, 2)
})

t.test('--velocity replaces a counted value (what-if); an unknown counter is a usage error', async (t) => {
  const env = dataEnv(t)
  const body = JSON.stringify(charge())
  const io = captureIo({ cwd: rootDir, env, stdin: body })
  t.equal(await runCli(['score', '--json', '--velocity', 'charges_per_ip_1h=7', '--velocity', 'charges_per_card_1h=12'], io), 0)
  const out = JSON.parse(io.out()) as ScoreResponse
  t.equal(out.signals.velocity?.charges_per_ip_1h, 7)
  t.equal(out.decision, 'block', 'card_retry_storm blocks')
  t.ok(out.reasons.some((r) => r.rule === 'ip_velocity' && r.values['velocity.charges_per_ip_1h'] === 7))

  const bad = captureIo({ cwd: rootDir, env, stdin: body })
  t.equal(await runCli(['score', '--velocity', 'nope=1'], bad), 2)
  t.match(bad.err(), /--velocity nope: not a counter of the rule set \(declared: charges_per_ip_1h/)
  const malformed = captureIo({ cwd: rootDir, env, stdin: body })
  t.equal(await runCli(['score', '--velocity', 'x=-1'], malformed), 2)
})

t.test('refused charges: card data (never echoed), invalid fields, bad JSON, bad IP', async (t) => {
  const env = dataEnv(t)
  const pan = '4242424242424242'
  const input = [
    JSON.stringify(charge({ card: { number: pan, bin: '424242' } })),
    JSON.stringify(charge({ amount: '100', extra: true })),
    '{ not json',
    JSON.stringify(charge({ ip: 'not-an-ip' })),
    JSON.stringify(charge())
  ].join('\n')
  const io = captureIo({ cwd: rootDir, env, stdin: input })
  t.equal(await runCli(['score', '--json'], io), 1)
  const err = io.err()
  t.match(err, /charge line 1 refused: card_data_not_allowed_tokenize_first: \/card\/number carries card data/)
  t.notMatch(err + io.out(), new RegExp(pan), 'the card number is never echoed')
  t.match(err, /charge line 2 refused: validation_failed: .*\/extra: unknown field.*\/amount: must be integer|charge line 2 refused: validation_failed: .*\/amount: must be integer.*\/extra: unknown field/)
  t.match(err, /charge line 3 refused: not JSON/)
  t.match(err, /charge line 4 refused: validation_failed: \/ip: \S+/)
  t.equal(io.out().trim().split('\n').length, 1, 'the valid charge is still scored')
})

t.test('unreadable input, rules or data: exit 3', async (t) => {
  const env = dataEnv(t)
  const missing = captureIo({ cwd: rootDir, env })
  t.equal(await runCli(['score', 'no-such-charge.json'], missing), 3)
  t.match(missing.err(), /cannot read no-such-charge\.json: ENOENT/)

  const dir = t.testdir({ 'ruleset.yaml': 'version: "x"\nthresholds: { review: 50, block: 80 }\nrules:\n  - id: r\n    when: nope\n    score: 1\n' })
  const badRules = captureIo({ cwd: rootDir, env, stdin: JSON.stringify(charge()) })
  t.equal(await runCli(['score', '--rules', dir], badRules), 3)
  t.match(badRules.err(), /ruleset\.yaml:5:11 rule r:/)

  const badData = captureIo({ cwd: rootDir, env: { ...env, RISKGATE_MMDB_COUNTRY: path.join(dir, 'missing.mmdb') }, stdin: JSON.stringify(charge()) })
  t.equal(await runCli(['score'], badData), 3)
  t.match(badData.err(), /cannot load the IP data: .*missing\.mmdb/)

  const empty = captureIo({ cwd: rootDir, env, stdin: '\n' })
  t.equal(await runCli(['score'], empty), 3)
  t.match(empty.err(), /no charge in the input/)
})

t.test('--help', async (t) => {
  const io = captureIo({ cwd: rootDir })
  t.equal(await runCli(['score', '--help'], io), 0)
  t.match(io.out(), /^usage: riskgate score \[file\|-\]/)
})

// keep the fixture writer honest: a charge file written by a merchant's tooling
t.test('a charge file with a trailing newline and CRLF line ends', async (t) => {
  const env = dataEnv(t)
  const dir = t.testdir({})
  writeFileSync(path.join(dir, 'c.ndjson'), `${JSON.stringify(charge())}\r\n${JSON.stringify(charge())}\r\n`)
  const io = captureIo({ cwd: dir, env: { ...env, RISKGATE_RULES_DIR: path.join(rootDir, 'rules') } })
  t.equal(await runCli(['score', 'c.ndjson', '--json'], io), 0)
  t.equal(io.out().trim().split('\n').length, 2)
})
