import * as crypto from 'node:crypto'

type OneShotHash = (algorithm: string, data: string, outputEncoding: 'buffer') => Buffer
/** crypto.hash (Node 20.12+: one call and no Hash object), else createHash */
const oneShot = (crypto as { hash?: OneShotHash }).hash

/** SHA-256 of the UTF-8 text: for what is not secret-keyed (an API key's check, a composite velocity key) */
export function sha256 (text: string): Buffer {
  return oneShot !== undefined ? oneShot('sha256', text, 'buffer') : crypto.createHash('sha256').update(text, 'utf8').digest()
}
