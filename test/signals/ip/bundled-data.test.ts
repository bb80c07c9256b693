import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundledDataPaths, COUNTRY_PACKAGE, packageDir, packageVersion, projectRoot } from '../../../src/signals/ip/bundled-data.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

t.test('bundled data paths', async (t) => {
  t.equal(projectRoot(), root)
  const paths = bundledDataPaths()
  t.equal(paths.asnDb, join(root, 'data', 'build', 'asn.mmdb'))
  t.equal(paths.hostingAsns, join(root, 'data', 'hosting-asns.txt'))
  t.ok(existsSync(paths.hostingAsns))
  t.ok(existsSync(paths.countryDb), 'the country database comes with its npm package')
  t.equal(dirname(paths.countryDb), packageDir(COUNTRY_PACKAGE))
  const pkg = JSON.parse(readFileSync(join(packageDir(COUNTRY_PACKAGE), 'package.json'), 'utf8')) as { version: string }
  t.equal(packageVersion(COUNTRY_PACKAGE), pkg.version)
  t.throws(() => packageDir('surely-not-an-installed-package-xyz'))
})
