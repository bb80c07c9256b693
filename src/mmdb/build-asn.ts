import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { parseCsvLine, readLines } from './csv.js'
import { parseIPv4Number, parseIPv6, bytesToBigInt } from './ip-address.js'
import { MmdbWriter } from './writer.js'
import type { MmdbBuildStats } from './writer.js'

/**
 * Compiles IP-range -> ASN CSV files (the @ip-location-db/asn layout: `start,end,asn,organization`,
 * inclusive ranges, IPv4 or IPv6, RFC 4180 quoting) into one MMDB with the GeoLite2-ASN record
 * shape: { autonomous_system_number, autonomous_system_organization? }.
 */

export const ASN_DATABASE_TYPE = 'riskgate-ASN'

export interface AsnBuildOptions {
  /** CSV files, IPv4 and/or IPv6 rows (the kind of each row is read from its addresses) */
  csvFiles: string[]
  /** the .mmdb to write (parent folders are created; written atomically) */
  output: string
  /** the date of the source data, stored as the build epoch (reproducible builds) */
  buildEpoch: Date
  databaseType?: string
  description?: string
}

export interface AsnBuildResult extends MmdbBuildStats {
  output: string
  databaseType: string
  buildEpoch: Date
  /** CSV data rows read */
  rows: number
  /** CIDR networks the ranges became */
  networks: number
  /** rows that overlap the row before them (the later row wins for the shared addresses) */
  overlaps: number
}

// a type alias, not an interface: it must be assignable to MmdbValue's map signature
export type AsnRecord = {
  autonomous_system_number: number
  autonomous_system_organization?: string
}

export class AsnCsvError extends Error {
  constructor (file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`)
    this.name = 'AsnCsvError'
  }
}

/**
 * Reads the version of a dated data package ("2.3.2026061719": the last part is YYYYMMDDHH, UTC)
 * as the time the data was produced. Undefined when the version does not carry a date.
 */
export function buildEpochFromPackageVersion (version: string): Date | undefined {
  const match = /(?:^|\.)(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(version)
  if (match === null) return undefined
  const [, y, mo, d, h] = match.map(Number) as [number, number, number, number, number]
  const date = new Date(Date.UTC(y, mo - 1, d, h))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h) {
    return undefined
  }
  return date
}

/** Builds the ASN database into memory; see buildAsnMmdb to write it to a file. */
export async function compileAsnCsv (options: Omit<AsnBuildOptions, 'output'>): Promise<{ buffer: Buffer, result: Omit<AsnBuildResult, 'output'> }> {
  const databaseType = options.databaseType ?? ASN_DATABASE_TYPE
  const writer = new MmdbWriter({
    databaseType,
    ipVersion: 6,
    buildEpoch: options.buildEpoch,
    languages: [],
    description: options.description ?? 'IP to autonomous system number and organization'
  })
  const records = new Map<string, AsnRecord>()
  const order: RowOrder = { v4End: -1, v6End: -1n, overlaps: 0 }
  let rows = 0
  for (const file of options.csvFiles) {
    let lineNumber = 0
    for await (const line of readLines(file)) {
      lineNumber++
      if (line === '' || line.startsWith('#')) continue
      const fields = parseCsvLine(line)
      if (fields === undefined || fields.length !== 4) {
        throw new AsnCsvError(file, lineNumber, 'expected 4 fields: start,end,asn,organization')
      }
      const [start, end, asnText, org] = fields as [string, string, string, string]
      if (!/^[0-9]{1,10}$/.test(asnText) || Number(asnText) > 0xffffffff) {
        throw new AsnCsvError(file, lineNumber, `not an AS number: ${asnText}`)
      }
      const asn = Number(asnText)
      if (asn === 0) continue // AS0: not routed, nothing to say
      const key = `${asn}\t${org}`
      let record = records.get(key)
      if (record === undefined) {
        record = org === '' ? { autonomous_system_number: asn } : { autonomous_system_number: asn, autonomous_system_organization: org }
        records.set(key, record)
      }
      insertRow(writer, start, end, record, order, file, lineNumber)
      rows++
    }
  }
  const { buffer, stats } = writer.buildWithStats()
  return { buffer, result: { ...stats, databaseType, buildEpoch: options.buildEpoch, rows, networks: writer.networkCount, overlaps: order.overlaps } }
}

/** end of the previous row of each family, to count overlapping rows of a sorted file */
interface RowOrder { v4End: number, v6End: bigint, overlaps: number }

function insertRow (writer: MmdbWriter, start: string, end: string, record: AsnRecord, order: RowOrder, file: string, line: number): void {
  try {
    if (start.includes(':')) {
      const a = parseIPv6(start)
      const b = parseIPv6(end)
      if (a === undefined || b === undefined) throw new Error(`not an IPv6 range: ${start} - ${end}`)
      const first = bytesToBigInt(a)
      const last = bytesToBigInt(b)
      writer.insertIPv6Range(first, last, record)
      if (first <= order.v6End) order.overlaps++
      order.v6End = last
    } else {
      const a = parseIPv4Number(start)
      const b = parseIPv4Number(end)
      if (a === undefined || b === undefined) throw new Error(`not an IPv4 range: ${start} - ${end}`)
      writer.insertIPv4Range(a, b, record)
      if (a <= order.v4End) order.overlaps++
      order.v4End = b
    }
  } catch (err) {
    throw new AsnCsvError(file, line, err instanceof Error ? err.message : String(err))
  }
}

/** Builds the ASN database and writes it (atomically: a temporary file renamed into place). */
export async function buildAsnMmdb (options: AsnBuildOptions): Promise<AsnBuildResult> {
  const { buffer, result } = await compileAsnCsv(options)
  await mkdir(dirname(options.output), { recursive: true })
  const temporary = `${options.output}.${process.pid}.tmp`
  try {
    await writeFile(temporary, buffer)
    await rename(temporary, options.output)
  } catch (err) {
    await rm(temporary, { force: true })
    throw err
  }
  return { ...result, output: options.output }
}
