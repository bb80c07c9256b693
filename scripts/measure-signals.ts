/**
 * What the device and distance signals cost on the request path, and what the cities table costs
 * to load: microseconds per user agent parsed (bowser and isbot, uncached, over distinct user
 * agents) and per cached answer, per Accept-Language header, per city looked up, and the time and
 * memory (heap and RSS after a full GC) the cities table takes. Small loops, a few seconds in all;
 * figures are medians of rounds.
 *
 *   node --expose-gc --import tsx scripts/measure-signals.ts
 */
import { preferredLanguage } from '../src/signals/device/accept-language.js'
import { createUserAgentParser, parseUserAgent } from '../src/signals/device/user-agent.js'
import { loadCityCoordinates } from '../src/signals/geo/city-coordinates.js'

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) {
  process.stderr.write('run with node --expose-gc\n')
  process.exit(2)
}

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
  'python-requests/2.31.0'
]

/** median over `rounds` of the microseconds per call of `batch` calls */
function perCall (batch: number, rounds: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < batch; i++) fn(i)
  const runs: number[] = []
  let n = batch
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < batch; i++) fn(n++)
    runs.push(Number(process.hrtime.bigint() - start) / 1000 / batch)
  }
  return runs.sort((a, b) => a - b)[Math.floor(rounds / 2)] as number
}

const fixed = (n: number, digits = 2): string => n.toFixed(digits)

// distinct user agents (a build number varies), so nothing is cached
const uncached = perCall(2_000, 9, (i) => parseUserAgent(`${AGENTS[i % AGENTS.length] as string} build/${i}`))
const parse = createUserAgentParser()
const cached = perCall(200_000, 9, (i) => parse(AGENTS[i % AGENTS.length] as string))
const language = perCall(200_000, 9, () => preferredLanguage('id-ID,id;q=0.9,en;q=0.8'))

gc()
const heapBefore = process.memoryUsage().heapUsed
const rssBefore = process.memoryUsage().rss
const started = performance.now()
const cities = await loadCityCoordinates()
const loadMs = performance.now() - started
gc()
const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 1048576
const rssMiB = (process.memoryUsage().rss - rssBefore) / 1048576
const NAMES: Array<[string, string]> = [['TH', 'Bangkok'], ['ID', 'Jakarta'], ['US', 'New York'], ['GB', 'London'], ['BR', 'São Paulo'], ['VN', 'Ho Chi Minh']]
const find = perCall(100_000, 9, (i) => { const [country, city] = NAMES[i % NAMES.length] as [string, string]; return cities.find(country, city) })

process.stdout.write([
  `user agent parsed (bowser + isbot), uncached: ${fixed(uncached)} µs`,
  `user agent from the cache:                     ${fixed(cached, 3)} µs`,
  `Accept-Language to its language:               ${fixed(language, 3)} µs`,
  `cities table: ${cities.size.toLocaleString('en-US')} places loaded in ${fixed(loadMs, 0)} ms, ${fixed(heapMiB, 1)} MiB of heap, ${fixed(rssMiB, 1)} MiB of RSS`,
  `city looked up by country and name:            ${fixed(find, 3)} µs`,
  `(Node ${process.version})`
].join('\n') + '\n')
