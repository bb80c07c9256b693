/**
 * Waits until `probe` returns a value other than undefined, trying again every `everyMs`. For
 * things that happen in the background (a file watcher reacting to a replaced file): the test
 * waits for the event, it does not time it. tap's own timeout ends a test that never gets there.
 */
export async function eventually<T> (probe: () => Promise<T | undefined> | T | undefined, everyMs = 25): Promise<T> {
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
