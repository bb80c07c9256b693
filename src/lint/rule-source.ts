import type { Node, Scalar } from 'yaml'
import { entryOf, isMapNode, isScalarNode, isSeqNode, mapEntries, YamlSource } from '../engine/yaml-source.js'

export interface Position {
  line: number
  column: number
}

/**
 * Where things are in a rule file, so that a lint finding points at the exact line and column: a
 * rule's id, a character of its condition (in any YAML scalar style), a velocity counter or a
 * list declaration.
 */
export interface RuleFileLocations {
  file: string
  rule: (id: string) => Position
  /** `offset` is an index into the condition text as CEL sees it */
  condition: (id: string, offset: number) => Position
  velocity: (name: string) => Position
  list: (name: string) => Position
}

const START: Position = { line: 1, column: 1 }

export function locateRuleFile (file: string, text: string): RuleFileLocations {
  const source = new YamlSource(file, text)
  const rules = new Map<string, { node: Node, when?: Scalar }>()
  const velocity = new Map<string, Node>()
  const lists = new Map<string, Node>()
  const root = source.root
  if (isMapNode(root)) {
    const top = mapEntries(source, root)
    const rulesEntry = entryOf(top, 'rules')
    if (isSeqNode(rulesEntry?.value)) {
      for (const item of rulesEntry.value.items as Array<Node | null>) {
        if (!isMapNode(item)) continue
        const entries = mapEntries(source, item)
        const id = entryOf(entries, 'id')?.value
        const when = entryOf(entries, 'when')?.value
        if (!isScalarNode(id) || typeof id.value !== 'string' || rules.has(id.value)) continue
        rules.set(id.value, isScalarNode(when) ? { node: id, when } : { node: id })
      }
    }
    for (const [key, target] of [['velocity', velocity], ['lists', lists]] as const) {
      const entry = entryOf(top, key)
      if (!isMapNode(entry?.value)) continue
      for (const e of mapEntries(source, entry.value)) target.set(e.key, e.keyNode)
    }
  }
  const at = (node: Node | undefined): Position => (node === undefined ? START : source.position(node.range?.[0] ?? 0))
  return {
    file,
    rule: (id) => at(rules.get(id)?.node),
    condition (id, offset) {
      const found = rules.get(id)
      if (found?.when === undefined) return at(found?.node)
      return source.position(source.scalarOffset(found.when, offset))
    },
    velocity: (name) => at(velocity.get(name)),
    list: (name) => at(lists.get(name))
  }
}
