/**
 * Everything riskgate writes after it has answered (decision records, outcomes, gateway events)
 * goes through one outbox: queued in memory (bounded), written in batches on a later turn of the
 * event loop, retried with exponential backoff until the store takes it, and flushed on graceful
 * shutdown. Writers are idempotent (a resent write never duplicates anything), so a write that
 * timed out is simply written again. Nothing is dropped silently: a full queue, an item held past
 * its limit and what a shutdown could not write are counted (and logged, once per burst).
 */

/** What a writer says of one item it was given. */
export const ItemResult = {
  /** written (or found written already): the item leaves the outbox */
  DONE: 'done',
  /** not writable yet (e.g. an outcome whose decision has not landed): try again later, up to the kind's hold limit */
  LATER: 'later'
} as const
export type ItemResult = typeof ItemResult[keyof typeof ItemResult]

export interface OutboxKind<T> {
  /** writes a batch; one result per item, in order. Throwing (store unavailable) retries the whole batch */
  write: (items: readonly T[]) => Promise<ItemResult[]>
  /** most items per write call */
  batchSize?: number
  /**
   * How long a batch smaller than batchSize may wait for more items (ms, default 0: written on the
   * next turn of the event loop). Items wait at most this long more; a flush or a full batch does
   * not wait. For a store whose cost per write call (a script, its keys' TTLs, counts) outweighs
   * its cost per item.
   */
  lingerMs?: number
  /** how long an item answered LATER is kept trying before it is dropped (counted as expired) */
  holdMs?: number
  /** told once per item when it leaves the outbox: written, or dropped (and why) */
  settled?: (item: T, outcome: Settled) => void
}

export type DropReason = 'full' | 'expired' | 'shutdown'
export type Settled = { written: true } | { written: false, reason: DropReason }

export interface OutboxLogger {
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface OutboxOptions {
  log: OutboxLogger
  /** most items waiting, all kinds together; beyond it new items are dropped (counted) */
  maxItems?: number
  /** first retry delay; doubled per attempt up to maxBackoffMs */
  baseBackoffMs?: number
  maxBackoffMs?: number
  now?: () => number
}

export interface KindStats {
  queued: number
  written: number
  /** write attempts that failed (the store threw) and were retried */
  retries: number
  dropped: Record<DropReason, number>
}

export interface Outbox {
  /** registers a kind of item and its writer; once per name */
  define: <T>(name: string, kind: OutboxKind<T>) => void
  /** queues an item; false when it was dropped because the outbox is full (counted) */
  add: <T>(name: string, item: T) => boolean
  /**
   * Resolves once everything queued is written, but for held items (answered LATER, e.g. a gateway
   * event whose decision is unknown), which are tried once more and then left waiting; or when
   * `timeoutMs` passes. What is left stays queued; the result says how many.
   */
  flush: (timeoutMs?: number) => Promise<{ left: number }>
  /** flushes for at most `timeoutMs`, then drops (and counts) what is left and stops */
  close: (timeoutMs: number) => Promise<void>
  stats: () => Record<string, KindStats>
  /** items waiting now, all kinds */
  depth: () => number
}

interface Entry<T> {
  item: T
  /** when it was queued (the outbox's clock) */
  queuedAt: number
  attempts: number
  notBefore: number
  /** when the writer first answered LATER: the item is held (waiting on something else) since */
  firstLaterAt?: number
  /** the write round of its last attempt (see flush) */
  round: number
}

interface KindState<T> {
  kind: OutboxKind<T>
  queue: Array<Entry<T>>
  stats: KindStats
  writing: boolean
}

export const DEFAULT_OUTBOX_MAX_ITEMS = 100_000
const DEFAULT_BATCH = 200
const DEFAULT_HOLD_MS = 15 * 60_000

function describe (err: unknown): { type: string, message: string } {
  return err instanceof Error ? { type: err.name, message: err.message } : { type: typeof err, message: String(err) }
}

export function createOutbox (options: OutboxOptions): Outbox {
  const { log } = options
  const maxItems = options.maxItems ?? DEFAULT_OUTBOX_MAX_ITEMS
  const base = options.baseBackoffMs ?? 50
  const maxBackoff = options.maxBackoffMs ?? 5_000
  const now = options.now ?? Date.now
  const kinds = new Map<string, KindState<unknown>>()
  let total = 0
  let closed = false
  let scheduled = false
  let timer: NodeJS.Timeout | undefined
  let timerAt = Infinity
  let failing = false
  /** items held (answered LATER) among the queued ones */
  let held = 0
  /** counts write attempts and completed writes: see settled() */
  let round = 0
  /** the round of the latest write that wrote something (what a held item waits for may be in it) */
  let progress = 0
  let waiters: Array<{ since: number, resolve: () => void }> = []
  const dropWarned = new Set<string>()

  // while a flush waits, retries come at the first backoff step: the flush is not kept waiting
  const backoff = (attempts: number): number => waiters.length > 0 ? base : Math.min(base * 2 ** Math.min(attempts - 1, 20), maxBackoff)

  function drop<T> (state: KindState<T>, name: string, item: T, reason: DropReason): void {
    state.stats.dropped[reason]++
    state.kind.settled?.(item, { written: false, reason })
    const key = `${name}:${reason}`
    if (!dropWarned.has(key)) {
      dropWarned.add(key)
      log.error({ kind: name, reason }, 'outbox: items dropped (counted in riskgate_outbox_dropped_total)')
    }
  }

  /**
   * A flush is done when nothing is left but held items (answered LATER: they wait on something
   * that may never come, such as a gateway event of a charge never scored), each tried once more
   * after the flush began and after the latest write that wrote something (what they waited for
   * may have been written by it).
   */
  function settled (since: number): boolean {
    if (total - held > 0) return false
    const after = Math.max(since, progress)
    for (const state of kinds.values()) for (const entry of state.queue) if (entry.round <= after) return false
    return true
  }

  function settleWaiters (): void {
    if (waiters.length === 0 || total - held > 0) return
    const waiting = waiters
    waiters = []
    for (const waiter of waiting) {
      if (settled(waiter.since)) waiter.resolve()
      else waiters.push(waiter)
    }
  }

  /** runs a drain on the next turn of the event loop (batches what this turn queued) */
  function soon (): void {
    if (scheduled || closed) return
    scheduled = true
    setImmediate(() => {
      scheduled = false
      drain()
    })
  }

  function wakeAt (at: number): void {
    if (closed || at >= timerAt) return
    if (timer !== undefined) clearTimeout(timer)
    timerAt = at
    timer = setTimeout(() => {
      timer = undefined
      timerAt = Infinity
      // what the timer was set for is due, whatever the clock says (a clock set back, a test's clock)
      drain(at)
    }, Math.max(0, at - now()))
  }

  function drain (dueAt = 0): void {
    const at = Math.max(now(), dueAt)
    let next = Infinity
    for (const [name, state] of kinds) {
      if (state.writing || state.queue.length === 0) continue
      const batch: Array<Entry<unknown>> = []
      const size = state.kind.batchSize ?? DEFAULT_BATCH
      for (const entry of state.queue) {
        if (entry.notBefore <= at) {
          batch.push(entry)
          if (batch.length >= size) break
        } else if (entry.notBefore < next) next = entry.notBefore
      }
      const first = batch[0]
      if (first === undefined) continue
      const linger = state.kind.lingerMs ?? 0
      // a partial batch of new items waits for more, unless a flush waits for it
      if (linger > 0 && batch.length < size && waiters.length === 0 && first.attempts === 0 && at < first.queuedAt + linger) {
        next = Math.min(next, first.queuedAt + linger)
        continue
      }
      writeBatch(name, state, batch).catch(() => { /* writeBatch catches what it awaits */ })
    }
    if (next !== Infinity) wakeAt(next)
  }

  async function writeBatch (name: string, state: KindState<unknown>, batch: Array<Entry<unknown>>): Promise<void> {
    state.writing = true
    const thisRound = ++round
    for (const entry of batch) entry.round = thisRound
    try {
      let results: ItemResult[]
      try {
        results = await state.kind.write(batch.map((entry) => entry.item))
        if (results.length !== batch.length) throw new Error(`the ${name} writer returned ${results.length} results for ${batch.length} items`)
        if (failing) log.warn({ kind: name }, 'outbox: writing again')
        failing = false
      } catch (err) {
        state.stats.retries++
        if (!failing) log.error({ kind: name, err: describe(err), queued: total }, 'outbox: write failed, retrying with backoff')
        failing = true
        const at = now()
        for (const entry of batch) {
          entry.attempts++
          entry.notBefore = at + backoff(entry.attempts)
        }
        return
      }
      const at = now()
      const leaving = new Set<Entry<unknown>>()
      batch.forEach((entry, n) => {
        if (results[n] === ItemResult.DONE) {
          leaving.add(entry)
          state.stats.written++
          state.kind.settled?.(entry.item, { written: true })
          return
        }
        if (entry.firstLaterAt === undefined) {
          entry.firstLaterAt = at
          held++
        }
        entry.attempts++
        if (at - entry.firstLaterAt >= (state.kind.holdMs ?? DEFAULT_HOLD_MS)) {
          leaving.add(entry)
          drop(state, name, entry.item, 'expired')
        } else {
          entry.notBefore = at + backoff(entry.attempts)
        }
      })
      if (results.includes(ItemResult.DONE)) progress = ++round
      if (leaving.size > 0) {
        state.queue = state.queue.filter((entry) => !leaving.has(entry))
        total -= leaving.size
        for (const entry of leaving) if (entry.firstLaterAt !== undefined) held--
        state.stats.queued = state.queue.length
      }
    } finally {
      state.writing = false
      soon()
      settleWaiters()
    }
  }

  return {
    define (name, kind) {
      if (kinds.has(name)) throw new Error(`outbox kind ${name} is defined already`)
      kinds.set(name, {
        kind: kind as OutboxKind<unknown>,
        queue: [],
        stats: { queued: 0, written: 0, retries: 0, dropped: { full: 0, expired: 0, shutdown: 0 } },
        writing: false
      })
    },
    add (name, item) {
      const state = kinds.get(name)
      if (state === undefined) throw new Error(`outbox kind ${name} is not defined`)
      if (closed || total >= maxItems) {
        drop(state, name, item, closed ? 'shutdown' : 'full')
        return false
      }
      state.queue.push({ item, queuedAt: now(), attempts: 0, notBefore: 0, round: 0 })
      state.stats.queued = state.queue.length
      total++
      soon()
      return true
    },
    async flush (timeoutMs = Infinity) {
      if (total === 0) return { left: 0 }
      // everything due now, without waiting for a backoff timer
      for (const state of kinds.values()) for (const entry of state.queue) entry.notBefore = Math.min(entry.notBefore, now())
      soon()
      let deadline: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        waiters.push({ since: round, resolve })
        if (timeoutMs !== Infinity) deadline = setTimeout(resolve, timeoutMs)
      })
      if (deadline !== undefined) clearTimeout(deadline)
      return { left: total }
    },
    async close (timeoutMs) {
      await this.flush(timeoutMs)
      closed = true
      if (timer !== undefined) clearTimeout(timer)
      for (const [name, state] of kinds) {
        for (const entry of state.queue) drop(state, name, entry.item, 'shutdown')
        state.queue = []
        state.stats.queued = 0
      }
      total = 0
      held = 0
      settleWaiters()
    },
    stats () {
      const out: Record<string, KindStats> = {}
      for (const [name, state] of kinds) out[name] = { ...state.stats, queued: state.queue.length, dropped: { ...state.stats.dropped } }
      return out
    },
    depth: () => total
  }
}
