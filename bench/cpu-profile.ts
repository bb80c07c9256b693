/**
 * Reads a V8 CPU profile (`node --cpu-prof`) of the riskgate server and splits the self time of
 * its samples within a time window into categories of the request path: each sample's time goes
 * to the category of the nearest frame, from the sampled one up through its callers, that belongs
 * to one. A frame's category comes from its source: in the server bundle, the module esbuild
 * wrote it from (the bundle marks each module with a `// path` line), else its file or `node:`
 * URL; generated code (no URL: ajv validators, fast-json-stringify serializers, the compiled rules)
 * by its function's name. "(garbage collector)" is garbage collection; "(program)" (V8 and native
 * code outside JavaScript) and "(idle)" are left out.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export interface CallFrame { functionName: string, scriptId: string, url: string, lineNumber: number, columnNumber: number }
export interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
export interface CpuProfile { nodes: ProfileNode[], startTime: number, endTime: number, samples: number[], timeDeltas: number[] }

export const CATEGORIES = [
  'Node HTTP, net, event loop',
  'fastify (routing, hooks, reply)',
  'JSON body parse',
  'request validation (ajv)',
  'response serialization (fast-json-stringify)',
  'pino logging',
  'keyed hashes (node:crypto)',
  'ioredis (encoding, reply parsing)',
  'velocity',
  'stored decision (idempotency)',
  'decision log and outbox',
  'IP lookups (maxmind)',
  'card-data scan',
  'rules (engine, compiled)',
  'metrics (prom-client)',
  'riskgate, other code',
  'garbage collection',
  'other'
] as const
export type Category = typeof CATEGORIES[number]

/** `node_modules/<one of the packages>/...`; a name ending in `/` is a whole scope */
function packages (...names: string[]): RegExp {
  const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\/$/, '/[^/]+'))
  return new RegExp(`^node_modules/(${escaped.join('|')})/`)
}

const LIBRARY_CATEGORIES: Array<[RegExp, Category]> = [
  [packages('ioredis', 'redis-parser', 'redis-errors', 'denque', '@ioredis/', 'cluster-key-slot', 'standard-as-callback', 'lodash.defaults', 'lodash.isarguments'), 'ioredis (encoding, reply parsing)'],
  [packages('pino', 'pino-std-serializers', '@pinojs/', 'sonic-boom', 'quick-format-unescaped', 'fast-redact', 'thread-stream', 'on-exit-leak-free', 'atomic-sleep', 'safe-stable-stringify'), 'pino logging'],
  [/^node_modules\/fastify\/lib\/logger[^/]*\.js$/, 'pino logging'],
  [packages('secure-json-parse'), 'JSON body parse'],
  [/^node_modules\/fastify\/lib\/content-?[tT]ype-?[pP]arser\.js$/, 'JSON body parse'],
  [packages('ajv', 'ajv-formats', '@fastify/ajv-compiler', 'fast-uri', 'fast-deep-equal', 'json-schema-traverse'), 'request validation (ajv)'],
  [/^node_modules\/fastify\/lib\/validation\.js$/, 'request validation (ajv)'],
  [packages('fast-json-stringify', '@fastify/fast-json-stringify-compiler', 'json-schema-ref-resolver'), 'response serialization (fast-json-stringify)'],
  [packages('maxmind', 'mmdb-lib', 'tiny-lru'), 'IP lookups (maxmind)'],
  [packages('@marcbachmann/cel-js', 're2js'), 'rules (engine, compiled)'],
  [packages('prom-client', 'tdigest', 'bintrees'), 'metrics (prom-client)'],
  [packages('fastify', 'find-my-way', 'avvio', 'light-my-request', '@fastify/', 'fastq', 'toad-cache', 'rfdc', 'process-warning',
    'abstract-logging', 'fast-querystring', 'ret', 'safe-regex2', 'proxy-addr', 'forwarded', 'ipaddr.js', 'fastify-plugin', 'reusify',
    'close-with-grace'), 'fastify (routing, hooks, reply)']
]

const SOURCE_CATEGORIES: Array<[RegExp, Category]> = [
  [/(^|\/)keyed-(hash|digest)\.[jt]s$|^src\/hashing\//, 'keyed hashes (node:crypto)'],
  [/^src\/(logger|log-stream|plugins\/request-log)\.[jt]s$/, 'pino logging'],
  [/^src\/redis\/lua-script\.[jt]s$/, 'ioredis (encoding, reply parsing)'],
  [/^src\/security\//, 'card-data scan'],
  [/^src\/(signals\/ip|mmdb)\/|^src\/plugins\/ip-intel\.[jt]s$/, 'IP lookups (maxmind)'],
  [/^src\/engine\/|^src\/scoring\/rule-set-view\.[jt]s$/, 'rules (engine, compiled)'],
  [/outbox|^src\/decision-log\/|^src\/plugins\/decision-log\.[jt]s$/, 'decision log and outbox'],
  [/^src\/idempotency\//, 'stored decision (idempotency)'],
  [/^src\/velocity\/|^src\/plugins\/velocity\.[jt]s$/, 'velocity'],
  [/^src\/plugins\/metrics\.[jt]s$/, 'metrics (prom-client)'],
  [/^src\//, 'riskgate, other code']
]

/** node: modules that belong to whoever calls them (Buffer, EventEmitter, util...): no category of their own */
const NODE_HELPERS = /^node:(buffer|events|util|internal\/(util|validators|errors|buffer|async_hooks|async_context_frame|url|querystring|event_target|fixed_queue|priority_queue|linkedlist|options|assert)(\/|$))/

/** Generated code, by the name of its function (it has no URL) */
const GENERATED: Array<[RegExp, Category]> = [
  [/^validate\d*$/, 'request validation (ajv)'],
  [/^(anonymous\d+|main|\$asString|\$asNumber|\$asInteger)$/, 'response serialization (fast-json-stringify)'],
  [/^(readFeatures|rules\d+|compiledCondition)$/, 'rules (engine, compiled)']
]

/** where a frame's code comes from: `src/...`, `node_modules/...`, `node:...`, or undefined (no URL) */
export interface SourceMap { sourceOf: (frame: CallFrame) => string | undefined }

/**
 * Frames of `bundle` (dist/riskgate-server.mjs) mapped to the module each line came from; other
 * files by their path relative to `root`.
 */
export function sourceMap (root: string): SourceMap {
  const bundles = new Map<string, Array<[number, string]>>()
  const modulesOf = (file: string): Array<[number, string]> => {
    let starts = bundles.get(file)
    if (starts !== undefined) return starts
    starts = []
    let text = ''
    try { text = readFileSync(file, 'utf8') } catch { /* gone: no modules */ }
    const lines = text.split('\n')
    for (let i = 0; i < lines.length; i++) {
      const match = /^\/\/ (\S+\.(?:[cm]?js|ts|json))$/.exec(lines[i] as string)
      if (match !== null) starts.push([i, moduleName(match[1] as string)])
    }
    bundles.set(file, starts)
    return starts
  }
  return {
    sourceOf (frame) {
      const url = frame.url
      if (url === '') return undefined
      if (url.startsWith('node:')) return url
      const file = url.startsWith('file://') ? fileURLToPath(url) : url
      if (!file.endsWith('.mjs') || !file.includes('riskgate-server')) {
        const relative = path.relative(root, file).split(path.sep).join('/')
        return relative.startsWith('dist/') ? relative.slice('dist/'.length).replace(/\.js$/, '.ts') : relative
      }
      const starts = modulesOf(file)
      // the last module start at or before the frame's line
      let lo = 0
      let hi = starts.length - 1
      let found: string | undefined
      while (lo <= hi) {
        const mid = (lo + hi) >> 1
        const [line, module] = starts[mid] as [number, string]
        if (line <= frame.lineNumber) { found = module; lo = mid + 1 } else hi = mid - 1
      }
      return found ?? 'bundle'
    }
  }
}

/** how many modules a bundle marks with a `// path` line (0 in a minified bundle, whose frames would all be "other") */
export function bundleModuleCount (file: string): number {
  let text = ''
  try { text = readFileSync(file, 'utf8') } catch { return 0 }
  return text.match(/^\/\/ \S+\.(?:[cm]?js|ts|json)$/gm)?.length ?? 0
}

/** `../x/node_modules/a/node_modules/b/c.js` -> `node_modules/b/c.js`; `src/x.ts` as it is */
function moduleName (file: string): string {
  const at = file.lastIndexOf('node_modules/')
  return at >= 0 ? file.slice(at) : file.replace(/^(\.\.\/)+/, '')
}

/** The category of one frame, or undefined when it has none (its caller's counts). */
export function categoryOf (frame: CallFrame, source: string | undefined): Category | undefined {
  const name = frame.functionName
  if (name === '(garbage collector)') return 'garbage collection'
  if (name.startsWith('(')) return undefined
  if (source === undefined) {
    for (const [test, category] of GENERATED) if (test.test(name)) return category
    return undefined
  }
  if (source.startsWith('node:')) {
    if (/^node:(internal\/)?crypto\/(random|keygen|keys|webcrypto)/.test(source)) return 'other'
    if (/^node:(internal\/)?crypto/.test(source)) return 'keyed hashes (node:crypto)'
    if (NODE_HELPERS.test(source)) return undefined
    return 'Node HTTP, net, event loop'
  }
  if (source.startsWith('node_modules/')) {
    for (const [test, category] of LIBRARY_CATEGORIES) if (test.test(source)) return category
    return 'other'
  }
  // riskgate's generic helpers (caches, deadlines...) belong to whoever calls them
  if (/^src\/util\//.test(source)) return undefined
  for (const [test, category] of SOURCE_CATEGORIES) if (test.test(source)) return category
  return 'other'
}

export interface FunctionTime { name: string, source: string, line: number, category: Category, us: number }

export interface ProfileBreakdown {
  /** µs of samples in the window, (program) and (idle) left out */
  sampledUs: number
  /** µs of "(program)" and of "(idle)" in the window */
  programUs: number
  idleUs: number
  samples: number
  byCategory: Record<Category, number>
  /** the functions with the most self time */
  top: FunctionTime[]
}

/**
 * Self time by category (and by function) of the samples taken between `fromUs` and `toUs`
 * (timestamps of the profile: microseconds of the monotonic clock, as `process.hrtime`).
 */
export function breakdown (profiles: readonly CpuProfile[], map: SourceMap, fromUs: number, toUs: number, topCount = 15): ProfileBreakdown {
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>
  const functions = new Map<string, FunctionTime>()
  let sampledUs = 0
  let programUs = 0
  let idleUs = 0
  let samples = 0
  for (const profile of profiles) {
    const byId = new Map<number, ProfileNode>()
    const parent = new Map<number, number>()
    for (const node of profile.nodes) {
      byId.set(node.id, node)
      for (const child of node.children ?? []) parent.set(child, node.id)
    }
    // the category of each node: its own, or its nearest caller's
    const categories = new Map<number, Category>()
    const sources = new Map<number, string | undefined>()
    const sourceOf = (id: number): string | undefined => {
      if (!sources.has(id)) sources.set(id, map.sourceOf((byId.get(id) as ProfileNode).callFrame))
      return sources.get(id)
    }
    const categoryOfNode = (id: number): Category => {
      const known = categories.get(id)
      if (known !== undefined) return known
      const own = categoryOf((byId.get(id) as ProfileNode).callFrame, sourceOf(id))
      const up = parent.get(id)
      const category = own ?? (up === undefined ? 'other' : categoryOfNode(up))
      categories.set(id, category)
      return category
    }
    let t = profile.startTime
    const times: number[] = []
    for (const delta of profile.timeDeltas) { t += delta; times.push(t) }
    for (let i = 0; i < profile.samples.length; i++) {
      const at = times[i] as number
      if (at < fromUs || at > toUs) continue
      const next = i + 1 < times.length ? times[i + 1] as number : profile.endTime
      const us = Math.max(0, Math.min(next, toUs) - at)
      const node = byId.get(profile.samples[i] as number)
      if (node === undefined) continue
      const name = node.callFrame.functionName
      if (name === '(idle)') { idleUs += us; continue }
      if (name === '(program)') { programUs += us; continue }
      if (name === '(root)') continue
      const category = categoryOfNode(node.id)
      byCategory[category] += us
      sampledUs += us
      samples++
      const source = sourceOf(node.id) ?? '(generated or native)'
      const key = `${name}\u0000${source}\u0000${node.callFrame.lineNumber}\u0000${category}`
      let fn = functions.get(key)
      if (fn === undefined) functions.set(key, fn = { name: name === '' ? '(anonymous)' : name, source, line: node.callFrame.lineNumber + 1, category, us: 0 })
      fn.us += us
    }
  }
  const top = [...functions.values()].sort((a, b) => b.us - a.us).slice(0, topCount)
  return { sampledUs, programUs, idleUs, samples, byCategory, top }
}
