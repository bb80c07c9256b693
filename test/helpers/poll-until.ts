/**
 * Polls `probe` every `everyMs` until it returns true: a bounded wait for a condition outside the
 * process (a cluster's state, a proxy's counters). Throws after `boundMs` (a hang detector for a
 * loaded machine, not a measurement). A probe that throws counts as false.
 */
export async function pollUntil (probe: () => Promise<boolean>, what: string, boundMs = 20_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + boundMs
  for (;;) {
    if (await probe().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`${what}: not within ${boundMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
