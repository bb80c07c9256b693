// The console's shell: the session, the hash router, the navigation and the status line.
import { currentSession, loadSession, onSignedOut, signOut } from './lib/api.js'
import { replace } from './lib/dom.js'
import { showStatus } from './lib/status.js'
import { renderSignIn } from './pages/sign-in.js'
import { renderQueue } from './pages/queue.js'
import { renderDecision } from './pages/decision.js'
import { renderSearch } from './pages/search.js'
import { renderRecent } from './pages/recent.js'
import { renderRules } from './pages/rules.js'
import { renderOverview } from './pages/overview.js'

const PAGES = {
  queue: renderQueue,
  decision: renderDecision,
  search: renderSearch,
  recent: renderRecent,
  rules: renderRules,
  overview: renderOverview
}

const main = document.getElementById('main')
const nav = document.getElementById('nav')
const account = document.getElementById('account')
const accountName = document.getElementById('account-name')
let cleanup = null
let generation = 0

function route () {
  const hash = location.hash.replace(/^#\/?/, '')
  const [page, ...rest] = hash.split('/')
  return { page: PAGES[page] === undefined ? 'queue' : page, param: rest.length > 0 ? decodeURIComponent(rest.join('/')) : null }
}

function showSignedIn (signedIn) {
  nav.hidden = !signedIn
  account.hidden = !signedIn
  const session = currentSession()
  replace(accountName, session === null ? '' : `Signed in as ${session.name ?? session.key_id}`)
}

async function render () {
  const mine = ++generation
  if (cleanup !== null) {
    cleanup()
    cleanup = null
  }
  if (currentSession() === null) {
    showSignedIn(false)
    renderSignIn(main, { onSignedIn: () => { showSignedIn(true); render() } })
    return
  }
  showSignedIn(true)
  const { page, param } = route()
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
  replace(main)
  const result = await PAGES[page](main, param, { isCurrent: () => mine === generation })
  if (mine === generation && typeof result === 'function') cleanup = result
}

document.getElementById('sign-out').addEventListener('click', async () => {
  try {
    await signOut()
    showStatus('Signed out.')
  } catch (err) {
    showStatus(`Sign-out failed: ${err.message}`, true)
  }
  render()
})

onSignedOut(() => {
  showStatus('Your session has ended: sign in again.', true)
  render()
})

window.addEventListener('hashchange', async () => {
  showStatus('')
  // each page change restarts the session's idle time (and fetches a fresh CSRF token)
  if (currentSession() !== null) await loadSession().catch(() => null)
  render()
})

loadSession().then(render, (err) => {
  showStatus(`The console cannot reach the server: ${err.message}`, true)
})
