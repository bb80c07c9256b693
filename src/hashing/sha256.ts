import * as crypto from 'node:crypto'
import { base64url128 } from './base64url.js'

export type OneShotHash = (algorithm: string, data: string | Buffer, outputEncoding: 'binary' | 'base64url') => string
/**
 * crypto.hash (Node 20.12+): one call, no Hash object, and text out instead of a Buffer made by
 * the native side (which costs more than the hash: about 1.2 against 0.7 µs a SHA-256); undefined
 * on an older Node
 */
export const oneShotHash = (crypto as { hash?: OneShotHash }).hash

function sha256Text (text: string, encoding: 'binary' | 'base64url'): string {
  return oneShotHash !== undefined ? oneShotHash('sha256', text, encoding) : crypto.createHash('sha256').update(text, 'utf8').digest(encoding)
}

/**
 * SHA-256 of the UTF-8 text: for what is not secret-keyed (an API key's check, a composite velocity
 * key). Read as latin1 text into a Buffer of Node's pool.
 */
export function sha256 (text: string): Buffer {
  return Buffer.from(sha256Text(text, 'binary'), 'latin1')
}

/** the first 16 bytes of sha256(text), base64url (22 characters) */
export function sha256Base64url128 (text: string): string {
  return base64url128(sha256Text(text, 'base64url'))
}
