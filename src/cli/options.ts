import { parseArgs } from 'node:util'
import type { CliIo } from './command.js'

export type OptionSpec = Record<string, { type: 'string' | 'boolean', short?: string, multiple?: boolean }>

export type ParsedOptions =
  | { ok: true, values: Record<string, string | boolean | string[] | boolean[] | undefined>, positionals: string[] }
  | { ok: false, message: string }

/**
 * Parses a command's arguments strictly: an unknown option or a missing option value is a usage
 * error, never silently ignored.
 */
export function parseOptions (argv: string[], options: OptionSpec, maxPositionals: number): ParsedOptions {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true })
    if (positionals.length > maxPositionals) {
      return { ok: false, message: `unexpected argument "${positionals[maxPositionals] ?? ''}"` }
    }
    return { ok: true, values: values as Record<string, string | boolean | string[] | boolean[] | undefined>, positionals }
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) }
  }
}

/** `riskgate rules check: <message>` and where to find the usage, on stderr. */
export function usageError (io: CliIo, command: string, message: string): void {
  io.stderr.write(`riskgate ${command}: ${message}\nRun \`riskgate ${command} --help\` for its usage.\n`)
}

export function stringOption (values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

export function stringListOption (values: Record<string, unknown>, name: string): string[] {
  const value = values[name]
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}
