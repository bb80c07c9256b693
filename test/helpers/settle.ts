/**
 * How a promise stands after at most `ms`: a hang detector for fault tests (a promise that should
 * reject must not stay pending), not a speed measurement.
 */
export async function settleWithin (promise: Promise<unknown>, ms: number): Promise<'fulfilled' | 'rejected' | 'pending'> {
  let timer: NodeJS.Timeout | undefined
  const pending = new Promise<'pending'>((resolve) => { timer = setTimeout(() => resolve('pending'), ms) })
  try {
    return await Promise.race([promise.then(() => 'fulfilled' as const, () => 'rejected' as const), pending])
  } finally {
    clearTimeout(timer)
  }
}

/** Collects the unhandled rejections that happen until the returned function is called. */
export function watchUnhandledRejections (): () => unknown[] {
  const seen: unknown[] = []
  const onRejection = (reason: unknown): void => { seen.push(reason) }
  process.on('unhandledRejection', onRejection)
  return () => {
    process.off('unhandledRejection', onRejection)
    return seen
  }
}
