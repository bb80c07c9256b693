import t from 'tap'
import pino from 'pino'
import { loggerOptions } from '../src/logger.js'

function lines (log: (logger: pino.Logger) => void): Array<Record<string, unknown>> {
  const out: string[] = []
  const logger = pino(loggerOptions('info'), { write: (line: string) => { out.push(line) } })
  log(logger)
  return out.map((line) => JSON.parse(line) as Record<string, unknown>)
}

t.test('sensitive keys are never written, at the top of a line or one level below', async (t) => {
  const [line] = lines((log) => log.info({
    email: 'a@example.com',
    ip: '198.51.100.7',
    nested: { authorization: 'Bearer secret-value', card: { number: '4111111111111111' }, keep: 1 },
    hashKey: 'k',
    decision_id: 'd-1'
  }, 'message'))
  t.equal(line?.email, '[redacted]')
  t.equal(line?.ip, '[redacted]')
  t.equal(line?.hashKey, '[redacted]')
  t.same(line?.nested, { authorization: '[redacted]', card: '[redacted]', keep: 1 })
  t.equal(line?.decision_id, 'd-1', 'the rest is written as given')
  const text = JSON.stringify(line)
  t.notOk(text.includes('secret-value') || text.includes('4111111111111111') || text.includes('a@example.com'))
})

t.test('the logged object is not changed, and a line without sensitive keys is written as is', async (t) => {
  const object = { email: 'a@example.com', n: { ip: '1.2.3.4' } }
  const [line] = lines((log) => log.info(object, 'm'))
  t.same(object, { email: 'a@example.com', n: { ip: '1.2.3.4' } }, 'the caller\'s object is untouched')
  t.equal(line?.email, '[redacted]')
  const [plain] = lines((log) => log.info({ decision_id: 'x', took: 1 }, 'm'))
  t.equal(plain?.decision_id, 'x')
})

t.test('requests are logged through serializers: method and route only', async (t) => {
  const [line] = lines((log) => log.info({ req: { method: 'POST', url: '/v1/score?x=1', headers: { authorization: 'Bearer s' } }, res: { statusCode: 200, body: 'x' } }, 'request completed'))
  t.same(line?.req, { method: 'POST', route: '/v1/score' })
  t.same(line?.res, { statusCode: 200 })
})

t.test('the merchant webhook secret is redacted where the configuration keeps it', async (t) => {
  const secret = 'whsec-test-0123456789abcdef0123456789abcdef'
  const [line] = lines((log) => log.info({ merchantWebhook: { url: 'https://shop.example/hook', secret }, secret }, 'm'))
  t.same(line?.merchantWebhook, { url: 'https://shop.example/hook', secret: '[redacted]' })
  t.equal(line?.secret, '[redacted]')
  t.notOk(JSON.stringify(line).includes(secret))
})
