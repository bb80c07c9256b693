#!/usr/bin/env node
// The riskgate CLI. `npm ci` builds dist/ (the prepare script); run `npm run build` after editing src/.
import('../dist/src/cli/bin.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('riskgate: the CLI is not built yet: run `npm run build` in the riskgate folder\n')
    process.exit(3)
  }
  throw err
})
