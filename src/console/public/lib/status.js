// The status line: what just happened (approved, failed...), read out by screen readers.
const status = document.getElementById('status')

export function showStatus (message, isError = false) {
  status.textContent = message
  status.classList.toggle('error', isError)
}
