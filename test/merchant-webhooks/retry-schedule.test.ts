import t from 'tap'
import { afterFailure, DEFAULT_RETRY_SCHEDULE, retryDelay } from '../../src/merchant-webhooks/retry-schedule.js'

t.test('delays double from 10 s up to 1 h, each drawn between half and all of its step', async (t) => {
  const s = DEFAULT_RETRY_SCHEDULE
  t.equal(retryDelay(s, 1, 0), 5_000)
  t.equal(retryDelay(s, 1, 0.999999), 10_000)
  t.equal(retryDelay(s, 2, 0), 10_000)
  t.equal(retryDelay(s, 3, 0.5), 30_000)
  t.equal(retryDelay(s, 12, 0.999999), 3_599_998, 'capped at 1 h')
  t.equal(retryDelay(s, 12, 0), 1_800_000)
  t.equal(retryDelay(s, 1000, 0), 1_800_000, 'no overflow far beyond')
})

t.test('an event is tried for at least 24 h whatever the jitter, then dropped', async (t) => {
  for (const random of [0, 0.5, 0.999999]) {
    const created = 1_000_000
    let clock = created
    let failures = 0
    let last = clock
    for (;;) {
      failures++
      last = clock
      const next = afterFailure(DEFAULT_RETRY_SCHEDULE, created, failures, clock, random)
      if (next === 'drop') break
      t.ok(next.retryAt > clock, 'later', { diagnostic: false })
      clock = next.retryAt
    }
    t.ok(last - created >= 24 * 3_600_000, `the last attempt at or after 24 h (jitter ${random})`)
    t.ok(last - created < 26 * 3_600_000, 'and not much later')
    t.ok(failures >= 25 && failures <= 60, `${failures} attempts`)
  }
})
