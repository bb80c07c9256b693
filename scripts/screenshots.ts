/**
 * `npm run screenshots`: pictures of the analyst console for the README, made from real scoring.
 * Starts riskgate in this process on 127.0.0.1 (a free port) with the bundled IP data and the
 * default rules, scores the benchmark's charge corpus (bench/corpus.ts) through POST /v1/score,
 * closes a share of the reviews through POST /v1/reviews (so the queue, outcomes and overview
 * have something to show), signs in to the console in headless Chromium and saves PNGs under
 * docs/screenshots/: the queue, a decision, a search and the overview at laptop width, and the
 * queue at phone width. Needs `npm run data:build` (done by `npm ci`) and chromium on the PATH.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import puppeteer from 'puppeteer-core'
import type { Page } from 'puppeteer-core'
import { buildApp } from '../src/app.js'
import { sha256 } from '../src/auth/api-keys.js'
import { loadConfig } from '../src/config/load-config.js'
import { projectRoot } from '../src/signals/ip/bundled-data.js'
import { buildCorpus } from '../bench/corpus.js'
import { chromiumArgs, findChromium } from './find-chromium.js'

const CHARGES = 1500
const CONCURRENCY = 16
const OUT_DIR = path.join(projectRoot(), 'docs', 'screenshots')

interface Review { decision_id: string, reasons: Array<{ rule: string }> }

async function main (): Promise<void> {
  const executablePath = findChromium()
  if (executablePath === undefined) throw new Error('no chromium on the PATH (Debian/Ubuntu: apt-get install chromium)')
  const root = projectRoot()
  const state = mkdtempSync(path.join(tmpdir(), 'riskgate-screenshots-'))
  try {
    const corpus = buildCorpus({ root, bodies: CHARGES })
    const torFile = path.join(state, 'tor-exits.txt')
    writeFileSync(torFile, corpus.torExits.join('\n') + '\n')
    // keys made for this run only, never printed
    const scoreSecret = randomBytes(24).toString('base64url')
    const analystSecret = randomBytes(24).toString('base64url')
    const { config } = await loadConfig({
      NODE_ENV: 'development',
      RISKGATE_API_KEYS: `checkout:score:${sha256(scoreSecret).toString('hex')},analyst-1:analyst:${sha256(analystSecret).toString('hex')}`,
      RISKGATE_HASH_KEY: randomBytes(32).toString('base64url'),
      RISKGATE_TOR_EXITS_FILE: torFile,
      RISKGATE_DATA_CHECK_INTERVAL_SECONDS: '0',
      RISKGATE_DEV_STATE_DIR: state,
      RISKGATE_RULES_DIR: path.join(root, 'rules')
    })
    // errors only: the bundled data's age warnings are not news here
    const app = await buildApp({ ...config, logLevel: 'error' })
    try {
      await app.listen({ host: '127.0.0.1', port: 0 })
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
      await seed(base, corpus.charges, scoreSecret, analystSecret)
      await shoot(base, executablePath, analystSecret)
    } finally {
      await app.close()
    }
  } finally {
    rmSync(state, { recursive: true, force: true })
  }
}

async function seed (base: string, charges: ReturnType<typeof buildCorpus>['charges'], scoreSecret: string, analystSecret: string): Promise<void> {
  const counts: Record<string, number> = {}
  let next = 0
  async function worker (): Promise<void> {
    while (next < charges.length) {
      const i = next++
      const body = { ...charges[i], charge_id: `ord_${String(100_000 + i)}` }
      const res = await fetch(`${base}/v1/score`, { method: 'POST', headers: { authorization: `Bearer ${scoreSecret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      if (!res.ok) throw new Error(`scoring answered ${res.status}`)
      const decision = (await res.json() as { decision: string }).decision
      counts[decision] = (counts[decision] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  process.stdout.write(`scored ${charges.length} charges of the benchmark corpus: ${JSON.stringify(counts)}\n`)

  // an analyst's first pass through the queue: a third of the oldest reviews closed, rejecting
  // those with a Tor or card-testing reason, approving the rest
  const auth = { authorization: `Bearer ${analystSecret}`, 'content-type': 'application/json' }
  const queue = await (await fetch(`${base}/v1/reviews?status=open&limit=100`, { headers: auth })).json() as { reviews: Review[] }
  const toClose = queue.reviews.slice(0, Math.ceil(queue.reviews.length / 3))
  for (const review of toClose) {
    const suspicious = review.reasons.some((r) => r.rule === 'tor_exit' || r.rule === 'card_testing_bin_ip')
    const action = suspicious ? 'reject' : 'approve'
    const res = await fetch(`${base}/v1/reviews/${review.decision_id}`, { method: 'POST', headers: auth, body: JSON.stringify({ action }) })
    if (!res.ok) throw new Error(`closing a review answered ${res.status}`)
  }
  process.stdout.write(`closed ${toClose.length} of the ${queue.reviews.length} oldest open reviews\n`)
}

async function save (page: Page, name: string, fullPage = false): Promise<void> {
  const file = path.join(OUT_DIR, `${name}.png`)
  await page.screenshot({ path: file as `${string}.png`, fullPage })
  process.stdout.write(`wrote ${path.relative(projectRoot(), file)}\n`)
}

async function shoot (base: string, executablePath: string, analystSecret: string): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true })
  const browser = await puppeteer.launch({ executablePath, headless: true, args: chromiumArgs() })
  try {
    const page = await browser.newPage()
    await page.setViewport({ width: 1280, height: 860 })
    const go = async (hash: string, selector: string) => {
      await page.evaluate(`location.hash = ${JSON.stringify(hash)}`)
      await page.waitForSelector(selector)
    }
    await page.goto(`${base}/console`)
    await page.waitForSelector('#sign-in-key')
    await page.type('#sign-in-key', analystSecret)
    await page.type('#sign-in-name', 'Nattaya')
    await page.click('#sign-in-submit')
    await page.waitForSelector('#queue-table tbody tr')
    await save(page, 'queue')

    const first = await page.$eval('#queue-table tbody tr', (row) => row.getAttribute('data-decision-id'))
    await go(`#/decision/${first ?? ''}`, '#reasons-table')
    await save(page, 'decision')

    await go('#/search', '#search-form')
    await page.select('#search-decision', 'block')
    await page.click('#search-submit')
    await page.waitForSelector('#search-table')
    await save(page, 'search')

    await go('#/overview', 'svg.chart rect')
    await save(page, 'overview', true)

    await page.setViewport({ width: 390, height: 844, isMobile: true, deviceScaleFactor: 2 })
    await go('#/queue', '#queue-table tbody tr')
    await save(page, 'queue-phone')
  } finally {
    await browser.close()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshots: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
