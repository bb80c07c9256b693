/**
 * Compiles the bundled ASN data (@ip-location-db/asn, CC BY 4.0: RouteViews, DB-IP, NRO) into
 * data/build/asn.mmdb with riskgate's own MMDB writer. Run at setup (`npm run data:build`), never
 * at request time. The build epoch is the date of the source data (from the package version), so
 * the same package gives the same file.
 *
 *   node --import tsx scripts/build-asn-mmdb.ts [output.mmdb]
 */
import { join, relative } from 'node:path'
import { buildAsnMmdb, buildEpochFromPackageVersion } from '../src/mmdb/build-asn.js'
import { ASN_PACKAGE, bundledDataPaths, packageDir, packageVersion, projectRoot } from '../src/signals/ip/bundled-data.js'

async function main (): Promise<void> {
  const started = process.hrtime.bigint()
  const dir = packageDir(ASN_PACKAGE)
  const version = packageVersion(ASN_PACKAGE)
  const buildEpoch = buildEpochFromPackageVersion(version)
  if (buildEpoch === undefined) throw new Error(`${ASN_PACKAGE}@${version}: the version carries no data date (YYYYMMDDHH)`)
  const output = process.argv[2] ?? bundledDataPaths().asnDb
  const result = await buildAsnMmdb({
    csvFiles: [join(dir, 'asn-ipv4.csv'), join(dir, 'asn-ipv6.csv')],
    output,
    buildEpoch,
    description: `IP to ASN from ${ASN_PACKAGE}@${version} (CC BY 4.0: RouteViews, DB-IP, NRO), compiled by riskgate`
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const peakRssMiB = process.resourceUsage().maxRSS / 1024
  const shown = relative(projectRoot(), result.output)
  process.stdout.write(
    `wrote ${shown.startsWith('..') ? result.output : shown} (${(result.totalBytes / 1048576).toFixed(1)} MiB): ` +
    `${result.rows} ranges -> ${result.networks} networks, ${result.nodeCount} nodes, ` +
    `${result.dataRecords} distinct records, record size ${result.recordSize}, ` +
    `data of ${buildEpoch.toISOString()}` +
    (result.overlaps > 0 ? `, ${result.overlaps} overlapping row(s) (the later row wins)` : '') + '\n' +
    `took ${seconds.toFixed(2)} s, peak RSS ${peakRssMiB.toFixed(0)} MiB\n`
  )
}

main().catch((err: unknown) => {
  process.stderr.write(`build-asn-mmdb: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
