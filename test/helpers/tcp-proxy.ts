import { connect, createServer } from 'node:net'
import type { Socket } from 'node:net'
import type { Teardown } from './redis.js'

const HOST = '127.0.0.1'

export interface TcpProxy {
  /** the port the proxy listens on, on 127.0.0.1 */
  port: number
  /**
   * From now on the upstream's replies are read and dropped instead of forwarded (the requests
   * still reach the upstream and run there): replies lost in flight. Ends with resetClients.
   */
  dropReplies: () => void
  /** bytes of replies dropped since the proxy started */
  droppedBytes: () => number
  /**
   * Resets (TCP RST) every client connection and closes its upstream connection, then forwards
   * again: what a client sees when a network path fails under it. Its client must reconnect.
   */
  resetClients: () => void
  /** client connections open now */
  connections: () => number
  close: () => Promise<void>
}

interface Pair {
  client: Socket
  upstream: Socket
}

/**
 * A TCP proxy on 127.0.0.1 in front of `targetPort` (a Redis), for fault tests: it forwards both
 * ways until told to drop the upstream's replies, then resets its client connections on command.
 * A client connection whose upstream cannot be reached (the upstream is down) is closed at once,
 * as a refused connection would be. Closed at teardown.
 */
export async function startTcpProxy (t: Teardown, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>()
  let dropping = false
  let dropped = 0

  const server = createServer((client) => {
    client.setNoDelay(true)
    const upstream = connect(targetPort, HOST)
    upstream.setNoDelay(true)
    const pair = { client, upstream }
    pairs.add(pair)
    const end = (): void => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end)
    upstream.on('error', end)
    client.on('close', end)
    upstream.on('close', end)
    client.on('data', (chunk) => { upstream.write(chunk) })
    upstream.on('data', (chunk) => {
      if (dropping) dropped += chunk.length
      else client.write(chunk)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, HOST, () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address !== 'object') throw new Error('the proxy has no port')

  const resetClients = (): void => {
    for (const pair of [...pairs]) {
      pairs.delete(pair)
      pair.client.resetAndDestroy()
      pair.upstream.destroy()
    }
    dropping = false
  }
  const close = async (): Promise<void> => {
    resetClients()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  t.teardown(close)
  return {
    port: address.port,
    dropReplies: () => { dropping = true },
    droppedBytes: () => dropped,
    resetClients,
    connections: () => pairs.size,
    close
  }
}
