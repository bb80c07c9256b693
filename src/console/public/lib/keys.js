// Single-key shortcuts, off while typing in a field and with a modifier held.

function typing (target) {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
}

/** Listens for the keys of `bindings` ({ j: fn, ... }); returns the function that stops listening. */
export function shortcuts (bindings) {
  function onKey (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return
    const action = bindings[event.key]
    if (action === undefined) return
    event.preventDefault()
    action(event)
  }
  document.addEventListener('keydown', onKey)
  return () => document.removeEventListener('keydown', onKey)
}
