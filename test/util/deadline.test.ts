import t from 'tap'
import { DeadlineExceeded, withDeadline } from '../../src/util/deadline.js'

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
