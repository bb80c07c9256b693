import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// DESIGN.md: the engine is pure; it imports nothing that does I/O, so the same code scores live
// traffic, rule tests and backtests (re2js: the RE2 engine of matches(), pure JavaScript)
const engineDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'engine')
const allowed = [/^\.\.?\//, /^yaml$/, /^@marcbachmann\/cel-js$/, /^node:crypto$/, /^re2js$/]

t.test('src/engine imports only pure modules', async (t) => {
  const files = (await readdir(engineDir)).filter((f) => f.endsWith('.ts'))
  t.ok(files.length > 5)
  for (const file of files) {
    const text = await readFile(path.join(engineDir, file), 'utf8')
    for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const specifier = match[1] as string
      t.ok(allowed.some((re) => re.test(specifier)), `${file} imports ${specifier}`)
      if (specifier.startsWith('.')) t.notMatch(specifier, /\.\.\/(?!schemas\/)/, `${file}: ${specifier} stays in the engine (or schema types)`)
    }
  }
})
