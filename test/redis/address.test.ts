import t from 'tap'
import { describeAddress, parseRedisAddress, redactRedisAddress } from '../../src/redis/address.js'

t.test('the forms of an address', async (t) => {
  t.same(parseRedisAddress('10.0.0.1:7000'), { host: '10.0.0.1', port: 7000, tls: false })
  t.same(parseRedisAddress(' redis-1.example.net:7000 '), { host: 'redis-1.example.net', port: 7000, tls: false })
  t.same(parseRedisAddress('[::1]:7000'), { host: '::1', port: 7000, tls: false })
  t.same(parseRedisAddress('[fd00::a:1]:7000'), { host: 'fd00::a:1', port: 7000, tls: false })
  t.same(parseRedisAddress('redis://h'), { host: 'h', port: 6379, tls: false }, 'a URL without a port: 6379')
  t.same(parseRedisAddress('redis://h', 26379), { host: 'h', port: 26379, tls: false }, 'or the port given (a sentinel\'s)')
  t.same(parseRedisAddress('REDISS://u:p%40ss@[::1]:6380/4'), { host: '::1', port: 6380, username: 'u', password: 'p@ss', tls: true, db: 4 })
  t.same(parseRedisAddress('redis://:only-password@h:1/'), { host: 'h', port: 1, password: 'only-password', tls: false })
})

t.test('what is refused, each message naming the entry without its credentials', async (t) => {
  const refused: Array<[string, RegExp]> = [
    ['h', /^h: expected host:port, \[ipv6\]:port or a redis:\/\/ or rediss:\/\/ URL$/],
    ['::1:7000', /expected host:port/],
    ['h:port', /expected host:port/],
    ['h:70000', /^h:70000: not a valid address$/],
    ['h:0', /the port must be 1 to 65535/],
    ['http://u:secret@h:1', /^http:\/\/\*\*\*@h:1: only redis:\/\/ and rediss:\/\/ URLs are understood$/],
    ['redis://u:secret@h:1/x', /^redis:\/\/\*\*\*@h:1\/x: the path must be a database number$/],
    ['redis://u:secret@h:1?db=1', /no query or fragment/],
    ['redis://u:sec/ret@h:1', /^redis:\/\/\*\*\*@h:1: /],
    ['u:secret@h:1', /^\*\*\*@h:1: expected host:port/]
  ]
  for (const [entry, message] of refused) {
    const err = (() => { try { parseRedisAddress(entry) } catch (e) { return e as Error } })()
    t.match(err?.message, message, entry.replace(/secret|sec\/ret/, '…'))
    t.notMatch(err?.message ?? '', /secret|sec\/ret/)
  }
})

t.test('redaction hides everything before the last @, malformed or not', async (t) => {
  t.equal(redactRedisAddress('redis://user:pa@ss@h:1/2'), 'redis://***@h:1/2')
  t.equal(redactRedisAddress('rediss://:x@h'), 'rediss://***@h')
  t.equal(redactRedisAddress('user:pass@h:1'), '***@h:1')
  t.equal(redactRedisAddress('h:1'), 'h:1')
  t.equal(describeAddress({ host: '::1', port: 7000 }), '[::1]:7000')
  t.equal(describeAddress({ host: '127.0.0.1', port: 7000 }), '127.0.0.1:7000')
})
