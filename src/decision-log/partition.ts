/** The partition of a decision: FNV-1a of its id, modulo the partition count. Stable across instances. */
export function partitionOf (decisionId: string, partitions: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < decisionId.length; i++) {
    h ^= decisionId.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) % partitions
}
