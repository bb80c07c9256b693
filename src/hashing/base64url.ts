const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** character code -> its 6 bits */
const VALUE = new Uint8Array(128)
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i

/**
 * The base64url text of the first 16 bytes of a digest, from the base64url text of the whole
 * digest (17 bytes or more): its first 21 characters hold bits 0-125, and the 22nd holds bits 126
 * and 127 followed by zero bits, where the whole digest's 22nd character goes on into byte 16.
 * The same text as `digest.subarray(0, 16).toString('base64url')`, without a Buffer.
 */
export function base64url128 (whole: string): string {
  return whole.slice(0, 21) + (ALPHABET[(VALUE[whole.charCodeAt(21)] as number) & 0x30] as string)
}
