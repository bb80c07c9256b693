import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { EnvSchema } from '../../src/config/env-schema.js'
import { rootDir } from '../helpers/test-data.js'

/**
 * No container runtime runs here, so the deploy files are checked as text: the compose file
 * passes every setting riskgate reads and names no variable or path that does not exist; the
 * image is built on an LTS Node, runs as a non-root user, has a healthcheck, and copies only what
 * exists; the build context leaves out what the image does not need.
 */

interface Service {
  image?: string
  build?: string
  environment?: Record<string, string>
  volumes?: string[]
  profiles?: string[]
  depends_on?: Record<string, unknown> | string[]
  ports?: string[]
}

const composeText = readFileSync(path.join(rootDir, 'docker-compose.yml'), 'utf8')
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>, volumes?: Record<string, unknown> }
const settings = Object.keys(EnvSchema.properties)
/** set by the image itself, or meaningful only to a development checkout */
const SET_BY_IMAGE = new Set(['NODE_ENV', 'RISKGATE_HOST', 'RISKGATE_PORT', 'RISKGATE_RULES_DIR', 'RISKGATE_DEV_STATE_DIR'])

const riskgateServices = Object.entries(compose.services).filter(([, s]) => s.build === '.')

t.test('every riskgate service passes every setting riskgate reads, and only those', async (t) => {
  t.ok(riskgateServices.length >= 2, 'the default instance and the scale profile\'s')
  for (const [name, service] of riskgateServices) {
    const passed = Object.keys(service.environment ?? {})
    for (const setting of settings) {
      if (SET_BY_IMAGE.has(setting)) continue
      t.ok(passed.includes(setting), `${name} passes ${setting}`)
    }
    for (const key of passed) t.ok(settings.includes(key), `${name}: ${key} is a setting riskgate reads`)
  }
})

t.test('every variable the compose file names is a setting, each defaulted or required with a message', async (t) => {
  const references = [...composeText.matchAll(/\$\{([A-Z0-9_]+)(:?[-?])?([^}]*)\}/g)]
  t.ok(references.length > 10)
  for (const [whole, name, operator, rest] of references) {
    t.ok(settings.includes(name as string), `${whole}: ${name} is a setting riskgate reads`)
    t.ok(operator === ':-' || operator === '-' || (operator === ':?' && (rest ?? '').trim() !== ''), `${whole} has a default or a message`)
  }
})

t.test('every path the compose file mounts exists; services it names exist', async (t) => {
  const names = new Set(Object.keys(compose.services))
  const volumes = new Set(Object.keys(compose.volumes ?? {}))
  for (const [name, service] of Object.entries(compose.services)) {
    for (const mount of service.volumes ?? []) {
      const source = mount.split(':')[0] as string
      if (source.startsWith('.') || source.startsWith('/')) t.ok(existsSync(path.join(rootDir, source)), `${name} mounts ${source}, which exists`)
      else t.ok(volumes.has(source), `${name} mounts the named volume ${source}, which is declared`)
    }
    const dependencies = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {})
    for (const dependency of dependencies) t.ok(names.has(dependency), `${name} depends on ${dependency}, which exists`)
    for (const port of service.ports ?? []) t.match(port, /^127\.0\.0\.1:/, `${name} publishes ${port} on the loopback only`)
  }
  const balancer = readFileSync(path.join(rootDir, 'deploy', 'haproxy.cfg'), 'utf8')
  t.match(balancer, /option httpchk GET \/readyz/, 'the balancer checks readiness')
  const scaled = riskgateServices.find(([, s]) => s.profiles?.includes('scale'))
  t.ok(scaled !== undefined && balancer.includes(`${scaled[0]}:8080`), 'the balancer sends to the scaled riskgate service')
})

t.test('the image: LTS Node, non-root, healthcheck, volumes, only existing sources copied', async (t) => {
  const dockerfile = readFileSync(path.join(rootDir, 'Dockerfile'), 'utf8')
  const image = /^ARG NODE_IMAGE=node:(\d+)-/m.exec(dockerfile)
  t.ok(image !== null, 'the Node image is named once')
  const major = Number(image?.[1])
  t.ok(major >= 22 && major % 2 === 0, `Node ${major}: an even (LTS) major line, 22 or later`)
  t.match(dockerfile, /^USER node$/m, 'runs as the unprivileged node user')
  t.match(dockerfile, /^HEALTHCHECK .*\n?.*\/readyz/m, 'a healthcheck on /readyz')
  t.match(dockerfile, /^VOLUME \[.*"\/etc\/riskgate\/rules"/m, 'the rules are a volume')
  t.match(dockerfile, /RISKGATE_RULES_DIR=\/etc\/riskgate\/rules/, 'and riskgate reads them there')
  for (const match of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const source of (match[1] as string).split(/\s+/)) t.ok(existsSync(path.join(rootDir, source)), `COPY ${source}: exists`)
  }
  const ignored = readFileSync(path.join(rootDir, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim())
  for (const entry of ['.git', 'node_modules', 'dist', 'test']) t.ok(ignored.includes(entry), `.dockerignore leaves out ${entry}`)
  for (const match of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const source of (match[1] as string).split(/\s+/)) t.notOk(ignored.includes(source), `${source} is copied, so not ignored`)
  }
})
