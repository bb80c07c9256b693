import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'

/**
 * A .tar.gz built in memory (POSIX ustar, regular files), the way npm package tarballs and
 * MaxMind's archives are laid out: for serving from a local test server.
 */
export function tarGz (files: Record<string, Buffer | string>): Buffer {
  return gzipSync(tar(files))
}

export function tar (files: Record<string, Buffer | string>): Buffer {
  const blocks: Buffer[] = []
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? Buffer.from(content) : content
    blocks.push(header(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return Buffer.concat(blocks)
}

function header (name: string, size: number): Buffer {
  const h = Buffer.alloc(512)
  let prefix = ''
  let short = name
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155)
    prefix = name.slice(0, cut)
    short = name.slice(cut + 1)
  }
  h.write(short, 0, 100, 'utf8')
  h.write('0000644\0', 100, 'latin1')
  h.write('0000000\0', 108, 'latin1')
  h.write('0000000\0', 116, 'latin1')
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1')
  h.write('14000000000\0', 136, 'latin1')
  h.write('        ', 148, 'latin1')
  h.write('0', 156, 'latin1')
  h.write('ustar\0', 257, 'latin1')
  h.write('00', 263, 'latin1')
  h.write(prefix, 345, 155, 'utf8')
  let sum = 0
  for (const byte of h) sum += byte
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
  return h
}

/** the npm registry's dist.integrity of some bytes */
export function sri (data: Buffer): string {
  return `sha512-${createHash('sha512').update(data).digest('base64')}`
}

export function sha256 (data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}
