import closeWithGrace from 'close-with-grace'
import { destination } from 'pino'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config/load-config.js'
import { SIGHUP_ACTOR } from './plugins/rule-reload.js'

/**
 * The only file that reads process.env, listens and handles signals. Everything else receives
 * the validated configuration.
 */
async function main (): Promise<void> {
  let loaded
  try {
    loaded = await loadConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`riskgate: ${err.message}\n`)
      process.exit(78) // EX_CONFIG
    }
    throw err
  }
  const { config, warnings } = loaded
  // stdout, written asynchronously: lines logged while a write is in flight leave together in the
  // next one, instead of one blocking write per line; pino flushes what is left when the process exits
  const logStream = destination({ dest: 1, sync: false })
  const app = await buildApp(config, { logStream })
  for (const warning of warnings) app.log.warn(warning)

  // SIGHUP reloads the rule set (audited, like POST /v1/rules/reload); it does not stop the server
  process.on('SIGHUP', () => {
    app.reloadRules(SIGHUP_ACTOR).catch((err: unknown) => { app.log.error({ err }, 'rule reload on SIGHUP failed') })
  })

  closeWithGrace({ delay: 10_000, skip: ['SIGHUP'] }, async function ({ signal, err }) {
    if (err !== undefined) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'closing')
    await app.close()
  })

  await app.listen({ host: config.host, port: config.port })
  if (loaded.devKeyFile !== undefined) {
    app.log.info(`development API key: send "Authorization: Bearer $(cat ${loaded.devKeyFile})"`)
  }
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`riskgate: failed to start: ${message}\n`)
  process.exit(1)
})
