import { readFile, realpath } from 'node:fs/promises'
import path from 'node:path'
import { declaredListFiles } from '../engine/compile.js'
import type { CompiledRuleSet, ListSource, RuleSetSource } from '../engine/ruleset.js'
import { checkRuleSet, mayGoLive, refusalReasons } from './go-live.js'
import { parseListText } from './parse-list-file.js'
import { RuleSetError } from './rule-set-error.js'

export const RULESET_FILE = 'ruleset.yaml'

/** How a file is named in messages: relative to the working directory when inside it. */
export function displayPath (file: string): string {
  const relative = path.relative(process.cwd(), file)
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file
}

function isInside (dir: string, file: string): boolean {
  const relative = path.relative(dir, file)
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
}

function describeIoError (error: unknown): string {
  const code = (error as { code?: unknown }).code
  if (code === 'ENOENT') return 'file not found'
  if (code === 'EACCES') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory'
  return typeof code === 'string' ? code : 'cannot be read'
}

async function readList (realDir: string, dir: string, relativeFile: string): Promise<ListSource> {
  const file = path.resolve(dir, relativeFile)
  const shown = displayPath(file)
  if (path.isAbsolute(relativeFile) || !isInside(dir, file)) {
    return { file: shown, values: [], error: `${relativeFile} must be a path inside the rules folder` }
  }
  try {
    const real = await realpath(file)
    if (!isInside(realDir, real)) return { file: shown, values: [], error: `${relativeFile} leads outside the rules folder` }
    return { file: shown, values: parseListText(await readFile(real, 'utf8')) }
  } catch (error) {
    return { file: shown, values: [], error: `${relativeFile}: ${describeIoError(error)}` }
  }
}

/**
 * Reads `<dir>/ruleset.yaml` and the list files it names (paths relative to `dir`, which they must
 * not leave). Throws a RuleSetError only when the rule file cannot be read; a list that cannot be
 * read is an error of the set, reported when it is compiled.
 */
export async function readRuleSetSource (dir: string): Promise<RuleSetSource> {
  const absoluteDir = path.resolve(dir)
  const file = path.join(absoluteDir, RULESET_FILE)
  let text: string
  let realDir: string
  try {
    realDir = await realpath(absoluteDir)
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new RuleSetError([{ file: displayPath(file), line: 1, column: 1, message: `cannot read the rule set: ${describeIoError(error)}` }])
  }

  const lists: Record<string, ListSource> = {}
  await Promise.all(Object.entries(declaredListFiles(text)).map(async ([name, relativeFile]) => {
    lists[name] = await readList(realDir, absoluteDir, relativeFile)
  }))
  return { file: displayPath(file), text, lists }
}

/**
 * Reads the rule set in `dir` and returns it compiled, if it may go live (src/ruleset/go-live.ts:
 * it compiles and its lint finds no error); else throws a RuleSetError listing every reason at its
 * file:line:col. The service starts and reloads with this, `riskgate rules check` decides the same.
 */
export async function loadRuleSet (dir: string): Promise<CompiledRuleSet> {
  const check = checkRuleSet(await readRuleSetSource(dir))
  if (!mayGoLive(check)) throw new RuleSetError(refusalReasons(check))
  return check.ruleSet
}
