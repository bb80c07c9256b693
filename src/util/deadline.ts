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
