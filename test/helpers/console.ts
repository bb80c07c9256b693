import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

/** the console's session cookie (name=value) set by a response, for app.inject requests */
export function sessionCookie (res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie']
  const cookies = Array.isArray(header) ? header : header === undefined ? [] : [header]
  const session = cookies.find((c) => c.startsWith('riskgate_console='))
  if (session === undefined) throw new Error(`no session cookie was set (status ${res.statusCode})`)
  return session.split(';')[0] as string
}

export interface SignedIn {
  cookie: string
  csrf: string
  res: LightMyRequestResponse
}

/** signs in to the console with a key, as the sign-in form does */
export async function signIn (app: FastifyInstance, key: string, name?: string): Promise<SignedIn> {
  const res = await app.inject({ method: 'POST', url: '/console/session', payload: name === undefined ? { key } : { key, name } })
  if (res.statusCode !== 200) throw new Error(`sign-in: ${res.statusCode} ${res.body}`)
  return { cookie: sessionCookie(res), csrf: res.json().csrf_token as string, res }
}
