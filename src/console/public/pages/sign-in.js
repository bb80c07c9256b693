// Sign-in: an analyst API key (and a display name) exchanged for a session cookie. The key is
// read from the field, posted once, and the field cleared: it is kept nowhere in the page.
import { signIn } from '../lib/api.js'
import { h, replace } from '../lib/dom.js'
import { showStatus } from '../lib/status.js'

export function renderSignIn (main, { onSignedIn }) {
  const error = h('p', { id: 'sign-in-error', class: 'error', role: 'alert' })
  const key = h('input', { id: 'sign-in-key', name: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'sign-in-key-help sign-in-error' })
  const name = h('input', { id: 'sign-in-name', name: 'name', type: 'text', autocomplete: 'name', maxlength: '64' })
  const submit = h('button', { type: 'submit', id: 'sign-in-submit' }, 'Sign in')
  const form = h('form', { id: 'sign-in', method: 'post', action: '/console/session', class: 'card narrow' },
    h('h1', null, 'Sign in'),
    h('div', { class: 'field' },
      h('label', { for: 'sign-in-key' }, 'API key (analyst scope)'),
      key,
      h('p', { id: 'sign-in-key-help', class: 'help' }, 'The key is exchanged for a session cookie and is not kept by the page. With npm start, the development key is in .riskgate/dev-api-key.')),
    h('div', { class: 'field' },
      h('label', { for: 'sign-in-name' }, 'Display name (optional)'),
      name),
    submit,
    error)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const secret = key.value
    key.value = ''
    replace(error)
    submit.disabled = true
    try {
      await signIn(secret, name.value.trim())
      showStatus('Signed in.')
      onSignedIn()
    } catch (err) {
      replace(error, err.status === 401 ? 'Sign-in refused: this key cannot sign in to the console.' : `Sign-in failed: ${err.message}`)
      submit.disabled = false
      key.focus()
    }
  })
  replace(main, form)
  key.focus()
}
