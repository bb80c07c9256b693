import t from 'tap'
import { DeadlineExceeded, createDeadlineQueue, withDeadline } from '../../src/util/deadline.js'

// withDeadline's timer is unref'd (it never keeps a process alive): hold the loop open meanwhile
const keepAlive = setInterval(() => {}, 1000)
t.teardown(() => { clearInterval(keepAlive) })

t.test('settles with the promise when it is in time', async (t) => {
  t.equal(await withDeadline(Promise.resolve(7), 1000), 7)
  await t.rejects(withDeadline(Promise.reject(new Error('boom')), 1000), { message: 'boom' })
})

t.test('rejects with DeadlineExceeded when the promise never settles', async (t) => {
  await t.rejects(withDeadline(new Promise(() => {}), 5), DeadlineExceeded)
})

t.test('a late rejection never becomes an unhandled rejection', async (t) => {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => { process.off('unhandledRejection', onUnhandled) })
  let fail: (err: Error) => void = () => {}
  const late = new Promise<never>((_resolve, reject) => { fail = reject })
  await t.rejects(withDeadline(late, 5), DeadlineExceeded)
  fail(new Error('too late'))
  await new Promise((resolve) => setImmediate(resolve))
  t.same(unhandled, [])
})

t.test('a deadline queue: one timer for many calls of one duration', async (t) => {
  t.test('calls in time settle as their promises do, whatever waits are open before them', async (t) => {
    const within = createDeadlineQueue(10_000)
    // the oldest wait stays open: the calls behind it still answer at once
    const stuck = within(new Promise(() => {}))
    stuck.catch(() => {})
    const answers = await Promise.allSettled(Array.from({ length: 3000 }, async (_, i) =>
      await within(i % 3 === 0 ? Promise.reject(new Error(`no ${i}`)) : Promise.resolve(i))))
    t.equal(answers.filter((a) => a.status === 'fulfilled').length, 2000)
    t.ok(answers.every((a, i) => a.status === 'fulfilled' ? a.value === i : (a.reason as Error).message === `no ${i}`), 'each call its own value or error')
  })

  t.test('every call that does not settle in time is rejected with DeadlineExceeded, no earlier than its deadline', async (t) => {
    const within = createDeadlineQueue(15)
    const started = performance.now()
    const calls = Array.from({ length: 40 }, async (_, i) => await within(i % 2 === 0 ? new Promise(() => {}) : Promise.resolve(i)))
    const answers = await Promise.allSettled(calls)
    const elapsed = performance.now() - started
    t.ok(answers.every((a, i) => i % 2 === 0 ? a.status === 'rejected' && a.reason instanceof DeadlineExceeded : a.status === 'fulfilled' && a.value === i))
    t.ok(elapsed >= 15, `the open calls were rejected after ${elapsed.toFixed(1)} ms, not before 15`)
    // and the queue serves the calls that come after
    t.equal(await within(Promise.resolve('after')), 'after')
    await t.rejects(within(new Promise(() => {})), DeadlineExceeded)
  })

  t.test('a late settlement is swallowed: no unhandled rejection', async (t) => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
    process.on('unhandledRejection', onUnhandled)
    t.teardown(() => { process.off('unhandledRejection', onUnhandled) })
    const within = createDeadlineQueue(5)
    let fail: (err: Error) => void = () => {}
    let succeed: (value: number) => void = () => {}
    const late = within(new Promise<never>((_resolve, reject) => { fail = reject }))
    const lateToo = within(new Promise<number>((resolve) => { succeed = resolve }))
    await t.rejects(late, DeadlineExceeded)
    await t.rejects(lateToo, DeadlineExceeded)
    fail(new Error('too late'))
    succeed(1)
    await new Promise((resolve) => setImmediate(resolve))
    t.same(unhandled, [])
  })

  t.test('a duration that is not positive is refused', async (t) => {
    t.throws(() => createDeadlineQueue(0), RangeError)
    t.throws(() => createDeadlineQueue(Number.NaN), RangeError)
  })
})
