// The console's only way to the server: the /v1 API (and the console's session routes), with the
// session cookie the browser sends by itself and the CSRF token, kept in memory only, on writes.

export class ApiError extends Error {
  constructor (status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

let session = null
const signedOutListeners = new Set()

/** the signed-in session ({ key_id, name, csrf_token, ... }) or null */
export function currentSession () {
  return session
}

/** called when the server no longer takes the session (expired, signed out elsewhere) */
export function onSignedOut (listener) {
  signedOutListeners.add(listener)
}

async function request (method, path, { query, body } = {}) {
  let url = path
  if (query !== undefined) {
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(name, String(value))
    }
    const text = params.toString()
    if (text !== '') url += `?${text}`
  }
  const headers = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && session !== null) headers['x-csrf-token'] = session.csrf_token
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store'
  })
  if (response.status === 204) return null
  let payload = null
  try {
    payload = await response.json()
  } catch {}
  if (!response.ok) {
    const error = payload?.error ?? {}
    throw new ApiError(response.status, error.code ?? 'error', error.message ?? `the server answered ${response.status}`)
  }
  return payload
}

/** the session's idle time is restarted by GET /console/session: asked again after this long of work */
const REFRESH_MS = 5 * 60 * 1000
let refreshedAt = 0

async function api (method, path, options) {
  try {
    const result = await request(method, path, options)
    if (session !== null && Date.now() - refreshedAt > REFRESH_MS) loadSession().catch(() => null)
    return result
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      session = null
      for (const listener of signedOutListeners) listener()
    }
    throw err
  }
}

export function get (path, query) {
  return api('GET', path, { query })
}

export function post (path, body) {
  return api('POST', path, { body })
}

/** the current session, or null when not signed in (restarts the session's idle time) */
export async function loadSession () {
  refreshedAt = Date.now()
  try {
    session = await request('GET', '/console/session')
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) session = null
    else throw err
  }
  return session
}

export async function signIn (key, name) {
  session = await request('POST', '/console/session', { body: name === '' ? { key } : { key, name } })
  refreshedAt = Date.now()
  return session
}

export async function signOut () {
  try {
    await request('DELETE', '/console/session')
  } finally {
    session = null
  }
}
