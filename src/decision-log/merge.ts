/**
 * Merges async sources that are each sorted by `compare` into one sorted sequence, reading one
 * item ahead per source. For the few partitions of the decision log a linear pick is enough.
 */
export async function * mergeSorted<T> (sources: ReadonlyArray<AsyncIterable<T>>, compare: (a: T, b: T) => number): AsyncGenerator<T> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]())
  const heads: Array<IteratorResult<T>> = await Promise.all(iterators.map(async (it) => await it.next()))
  try {
    for (;;) {
      let best = -1
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i] as IteratorResult<T>
        if (head.done === true) continue
        if (best < 0 || compare(head.value, (heads[best] as IteratorYieldResult<T>).value) < 0) best = i
      }
      if (best < 0) return
      yield (heads[best] as IteratorYieldResult<T>).value
      heads[best] = await (iterators[best] as AsyncIterator<T>).next()
    }
  } finally {
    // an early stop (the consumer broke out) closes every source
    await Promise.all(iterators.map(async (it, i) => {
      if ((heads[i] as IteratorResult<T>).done !== true) await it.return?.()
    }))
  }
}
