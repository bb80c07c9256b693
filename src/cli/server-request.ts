/**
 * What the commands that talk to a running riskgate over HTTP (`decisions export --url`,
 * `outcomes import`) share: the endpoint of a base URL, and what an error answer says.
 */

/** The endpoint `path` of the base URL given with --url, or why it is not usable. */
export function serverEndpoint (base: string, path: string): { ok: true, url: URL } | { ok: false, message: string } {
  let url: URL
  try {
    url = new URL(path, base)
  } catch {
    return { ok: false, message: `--url is not a URL: ${base}` }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, message: '--url must be http:// or https://' }
  return { ok: true, url }
}

/** `: <code> <message>` of an error answer in riskgate's error shape, or nothing. */
export async function answerDetail (response: Response): Promise<string> {
  try {
    const body = await response.json() as { error?: { code?: string, message?: string } }
    return body.error === undefined ? '' : `: ${body.error.code ?? ''} ${body.error.message ?? ''}`
  } catch {
    return ''
  }
}
