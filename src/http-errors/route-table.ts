/**
 * Which methods a path has routes for, so that a request for a known path with another method is
 * answered 405 with an `Allow` header instead of 404. Fastify's router answers only "no route"; this
 * table is asked only then, never on the path of a request that has a route.
 */
export interface RouteTable {
  add: (method: string | readonly string[], url: string) => void
  /** the methods routed for this path (query string ignored), sorted; empty for an unknown path */
  allowed: (url: string) => string[]
}

/**
 * A route URL of the router's syntax as a regular expression: `:name` (with or without its own
 * `(regex)`) one path segment, `*` anything, `::` a literal colon.
 */
export function routePattern (url: string): RegExp {
  let out = ''
  for (let i = 0; i < url.length; i++) {
    const c = url[i] as string
    if (c === ':' && url[i + 1] === ':') {
      out += ':'
      i++
    } else if (c === ':') {
      let j = i + 1
      while (j < url.length && /[\w$]/.test(url[j] as string)) j++
      if (url[j] === '(') {
        let depth = 0
        for (; j < url.length; j++) {
          if (url[j] === '\\') { j++; continue }
          if (url[j] === '(') depth++
          else if (url[j] === ')' && --depth === 0) { j++; break }
        }
      }
      out += '[^/]+'
      i = j - 1
    } else if (c === '*') {
      out += '.*'
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
    }
  }
  return new RegExp(`^${out}$`)
}

export function createRouteTable (): RouteTable {
  const routes: Array<{ pattern: RegExp, methods: Set<string> }> = []
  const byUrl = new Map<string, Set<string>>()
  return {
    add (method, url) {
      let methods = byUrl.get(url)
      if (methods === undefined) {
        methods = new Set()
        byUrl.set(url, methods)
        routes.push({ pattern: routePattern(url), methods })
      }
      for (const m of typeof method === 'string' ? [method] : method) methods.add(m.toUpperCase())
    },
    allowed (url) {
      const q = url.indexOf('?')
      const path = q === -1 ? url : url.slice(0, q)
      const out = new Set<string>()
      for (const route of routes) {
        if (route.pattern.test(path)) for (const m of route.methods) out.add(m)
      }
      return [...out].sort()
    }
  }
}
