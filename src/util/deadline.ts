export class DeadlineExceeded extends Error {
  constructor (ms: number) {
    super(`deadline of ${ms} ms exceeded`)
    this.name = 'DeadlineExceeded'
  }
}

/**
 * Settles with the promise, or rejects with DeadlineExceeded after `ms`. The late promise's own
 * rejection is swallowed so it can never become an unhandled rejection.
 */
export function withDeadline<T> (promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  promise.catch(() => {})
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceeded(ms)), ms)
      timer.unref()
    })
  ]).finally(() => clearTimeout(timer))
}

interface Waiting {
  /** performance.now() at which the wait is over */
  at: number
  /** undefined once settled */
  reject: ((err: Error) => void) | undefined
}

/**
 * withDeadline for many calls of one duration (a request's store call under RISKGATE_DEADLINE_MS),
 * with one timer for all of them instead of a timer, a race and their promises per call.
 *
 * Calls of one duration end their waits in the order they began them: the waits are a queue, and
 * the one timer is set for the oldest wait still open. A call that settles in time closes its wait,
 * and the closed waits at the head of the queue leave it at once, so a wait outlives its call only
 * behind an older one still open. When the timer fires, every open wait that is over is rejected
 * with DeadlineExceeded (a late settlement of its promise is swallowed, as withDeadline does) and
 * the timer is set for the next. The timer is unref'd: it never keeps the process alive.
 */
export type DeadlineQueue = <T>(promise: Promise<T>) => Promise<T>

export function createDeadlineQueue (ms: number): DeadlineQueue {
  if (!(ms > 0)) throw new RangeError('the deadline must be a positive number of milliseconds')
  const queue: Array<Waiting | undefined> = []
  let head = 0
  let timer: NodeJS.Timeout | undefined

  function dropClosed (): void {
    while (head < queue.length && (queue[head] as Waiting).reject === undefined) queue[head++] = undefined
    if (head === queue.length) {
      queue.length = 0
      head = 0
    } else if (head >= 1024 && head * 2 >= queue.length) {
      queue.splice(0, head)
      head = 0
    }
  }

  function arm (): void {
    if (timer !== undefined || head === queue.length) return
    timer = setTimeout(expire, Math.max(0, (queue[head] as Waiting).at - performance.now()))
    timer.unref()
  }

  function expire (): void {
    timer = undefined
    const now = performance.now()
    while (head < queue.length && (queue[head] as Waiting).at <= now) {
      const waiting = queue[head] as Waiting
      queue[head++] = undefined
      const reject = waiting.reject
      waiting.reject = undefined
      reject?.(new DeadlineExceeded(ms))
    }
    dropClosed()
    arm()
  }

  /** closes a wait its call settled: false when the deadline closed it first */
  function close (waiting: Waiting): boolean {
    if (waiting.reject === undefined) return false
    waiting.reject = undefined
    dropClosed()
    return true
  }

  return <T>(promise: Promise<T>): Promise<T> => new Promise<T>((resolve, reject) => {
    const waiting: Waiting = { at: performance.now() + ms, reject }
    queue.push(waiting)
    arm()
    promise.then((value) => { if (close(waiting)) resolve(value) }, (err: unknown) => { if (close(waiting)) reject(err) })
  })
}
