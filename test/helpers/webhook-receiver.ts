import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verifyRiskgateSignature } from '../../examples/verify-riskgate-signature.mjs'

/** One request the receiver got. */
export interface Received {
  eventId: string | undefined
  headers: IncomingHttpHeaders
  /** the raw body, as received */
  body: string
  /** the parsed body (undefined when not JSON) */
  event: { id: string, type: string, created: number, data: Record<string, unknown> } | undefined
  /** checked with the README's snippet (examples/verify-riskgate-signature.mjs) */
  verified: boolean
  /** requests of the same event id in progress when this one came (a duplicate concurrent delivery) */
  concurrent: number
}

/** How the receiver answers the n-th request (0-based) of all it got: a status, or `hang` (never answers). */
export type Responder = (request: Received, n: number) => number | 'hang'

export interface Receiver {
  url: string
  received: Received[]
  /** what the next requests are answered with */
  respond: Responder
  /** resolves once `count` requests in all were received */
  waitFor: (count: number) => Promise<Received[]>
  close: () => Promise<void>
}

interface Teardown { teardown: (fn: () => unknown) => void }

export interface ReceiverOptions {
  secret: string
  /** the receiver's clock (ms), for the signature's age: the senders' clock in tests that drive time */
  now?: () => number
  respond?: Responder
}

/** A merchant's webhook endpoint on 127.0.0.1 (an ephemeral port) that verifies what it gets. */
export async function startReceiver (t: Teardown, options: ReceiverOptions): Promise<Receiver> {
  const now = options.now ?? Date.now
  const received: Received[] = []
  const inProgress = new Map<string, number>()
  let waiters: Array<{ count: number, resolve: () => void }> = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const header = req.headers['riskgate-signature']
      const eventId = typeof req.headers['riskgate-event-id'] === 'string' ? req.headers['riskgate-event-id'] : undefined
      let event: Received['event']
      try {
        event = JSON.parse(raw.toString('utf8')) as Received['event']
      } catch {
        event = undefined
      }
      const key = eventId ?? ''
      const concurrent = inProgress.get(key) ?? 0
      inProgress.set(key, concurrent + 1)
      const request: Received = {
        eventId,
        headers: req.headers,
        body: raw.toString('utf8'),
        event,
        verified: verifyRiskgateSignature(raw, typeof header === 'string' ? header : undefined, options.secret, { nowSeconds: Math.floor(now() / 1000) }),
        concurrent
      }
      const n = received.length
      received.push(request)
      const answer = receiver.respond(request, n)
      const done = (): void => { inProgress.set(key, (inProgress.get(key) ?? 1) - 1) }
      if (answer === 'hang') {
        res.on('close', done)
      } else {
        res.writeHead(answer, { 'content-type': 'text/plain' })
        res.end('ok', done)
      }
      const ready = waiters.filter((w) => received.length >= w.count)
      waiters = waiters.filter((w) => received.length < w.count)
      for (const w of ready) w.resolve()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const close = async (): Promise<void> => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  t.teardown(close)
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks/riskgate`,
    received,
    respond: options.respond ?? (() => 200),
    async waitFor (count) {
      if (received.length < count) await new Promise<void>((resolve) => waiters.push({ count, resolve }))
      return received
    },
    close
  }
  return receiver
}
