/**
 * A bounded cache without a cliff: when the current generation is full it becomes the previous
 * one (still read, and promoted from on a hit) and a new one starts, so an entry in use survives
 * and memory stays under two generations. No clock, no timer.
 */
export class GenerationCache<K, V> {
  private current = new Map<K, V>()
  private previous = new Map<K, V>()
  private readonly generation: number

  constructor (generation: number) {
    if (!Number.isSafeInteger(generation) || generation < 1) throw new RangeError('generation must be a positive integer')
    this.generation = generation
  }

  get (key: K): V | undefined {
    const hit = this.current.get(key)
    if (hit !== undefined) return hit
    const old = this.previous.get(key)
    if (old !== undefined) this.set(key, old)
    return old
  }

  get size (): number {
    return this.current.size + this.previous.size
  }

  set (key: K, value: V): void {
    if (this.current.size >= this.generation) {
      this.previous = this.current
      this.current = new Map()
    }
    this.current.set(key, value)
  }
}
