/**
 * Bundles the server (src/server.ts) and its dependencies into one ES module,
 * dist/riskgate-server.mjs, the file `npm start` and the container run. Node then reads one file
 * instead of resolving and compiling several hundred, which about halves the time from spawn to
 * ready (`npm run bench` measures it). Same sources, same behaviour: esbuild only strips the
 * types (the sources use erasable TypeScript syntax only) and concatenates the modules. The CLI,
 * the benchmark and the tests use the modules tsc writes to dist/. Run by `npm run build`.
 *
 *   node dist/scripts/bundle-server.js
 */
import { build } from 'esbuild'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { projectRoot } from '../src/signals/ip/bundled-data.js'

export const SERVER_BUNDLE = join('dist', 'riskgate-server.mjs')

// CommonJS dependencies inside an ES module: give them require, __filename and __dirname
const BANNER = [
  "import { createRequire as __riskgateCreateRequire } from 'node:module'",
  "import { fileURLToPath as __riskgateFileURLToPath } from 'node:url'",
  "import { dirname as __riskgateDirname } from 'node:path'",
  'const require = __riskgateCreateRequire(import.meta.url)',
  'const __filename = __riskgateFileURLToPath(import.meta.url)',
  'const __dirname = __riskgateDirname(__filename)'
].join('\n')

export interface BundleResult {
  outfile: string
  bytes: number
  modules: number
}

/**
 * Writes the bundle. `outfile` must lie inside the project (the server finds its bundled data
 * from there); the default is dist/riskgate-server.mjs.
 */
export async function bundleServer (outfile = join(projectRoot(), SERVER_BUNDLE)): Promise<BundleResult> {
  const result = await build({
    entryPoints: [join(projectRoot(), 'src', 'server.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: BANNER },
    // serves its browser assets from its own package folder, and a native addon found from its
    // own package folder (the console's session cookies): loaded from node_modules as they are
    external: ['@fastify/swagger-ui', 'sodium-native'],
    legalComments: 'eof',
    logLevel: 'warning',
    metafile: true
  })
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0)
  return { outfile, bytes, modules: Object.keys(result.metafile.inputs).length }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { outfile, bytes, modules } = await bundleServer()
  process.stdout.write(`wrote ${relative(projectRoot(), outfile)} (${(bytes / 1024 / 1024).toFixed(1)} MiB, ${modules} modules)\n`)
}
