import t from 'tap'
import type { Test } from 'tap'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { watchFiles } from '../../src/data/file-watcher.js'
import type { FileWatchOptions } from '../../src/data/file-watcher.js'
import { eventually } from '../helpers/eventually.js'

const HOUR = 3_600_000

/** open handles of a kind (fs.watch: FSEventWrap); a closed handle goes away on the next turn */
async function handles (kind: string): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve))
  return process.getActiveResourcesInfo().filter((r) => r === kind).length
}

/** a watcher whose onChange calls are collected */
function start (t: Test, options: Omit<FileWatchOptions, 'onChange'>): { changes: string[][], errors: string[], close: () => Promise<void>, check: (p?: string[]) => Promise<string[]> } {
  const changes: string[][] = []
  const errors: string[] = []
  const watcher = watchFiles({ ...options, onChange: (paths) => { changes.push(paths) }, onError: (_err, context) => { errors.push(context) } })
  t.teardown(() => watcher.close())
  return { changes, errors, close: watcher.close, check: watcher.check }
}

t.test('fs.watch: an atomic rename over the file is seen (no periodic check needed)', async (t) => {
  const dir = t.testdir({ 'tor.txt': 'a\n', 'other.txt': 'x\n' })
  const file = join(dir, 'tor.txt')
  const w = start(t, { paths: [file], intervalMs: HOUR, debounceMs: 20 })
  await w.check() // the starting stamps are taken
  writeFileSync(join(dir, 'tor.txt.tmp'), 'b\n')
  renameSync(join(dir, 'tor.txt.tmp'), file)
  await eventually(() => w.changes.length > 0 ? true : undefined)
  t.same(w.changes[0], [file])
})

t.test('fs.watch: a rewrite in place is seen; a burst of writes is checked once', async (t) => {
  const dir = t.testdir({ 'list.txt': 'a\n' })
  const file = join(dir, 'list.txt')
  const w = start(t, { paths: [file], intervalMs: HOUR, debounceMs: 50 })
  await w.check()
  for (let i = 0; i < 20; i++) writeFileSync(file, `line ${i}\n`.repeat(i + 1))
  await eventually(() => w.changes.length > 0 ? true : undefined)
  t.same(w.changes, [[file]])
})

t.test('the periodic check alone finds a replaced and a removed file', async (t) => {
  const dir = t.testdir({ 'a.mmdb': 'a', 'b.txt': 'b' })
  const a = join(dir, 'a.mmdb')
  const b = join(dir, 'b.txt')
  const w = start(t, { paths: [a, b], intervalMs: 20, fsWatch: false })
  await w.check()
  t.equal(await handles('FSEventWrap'), 0, 'no fs.watch handle')
  writeFileSync(`${a}.new`, 'new content')
  renameSync(`${a}.new`, a)
  await eventually(() => w.changes.length > 0 ? true : undefined)
  t.same(w.changes[0], [a])
  rmSync(b)
  await eventually(() => w.changes.length > 1 ? true : undefined)
  t.same(w.changes[1], [b], 'a removal is a change (the reload refuses it)')
  writeFileSync(b, 'back')
  await eventually(() => w.changes.length > 2 ? true : undefined)
  t.same(w.changes[2], [b], 'and so is its return')
})

t.test('stamps: the loaded content is the baseline; unchanged files and other files are not reported', async (t) => {
  const dir = t.testdir({ 'x.txt': 'x', 'y.txt': 'y' })
  const x = join(dir, 'x.txt')
  const w = start(t, { paths: [x], initial: new Map([[x, 'stamp of what was loaded before']]), intervalMs: HOUR, fsWatch: false })
  t.same(await w.check(), [x], 'the file on disk is not the one loaded')
  t.same(await w.check(), [], 'now it is')
  writeFileSync(join(dir, 'y.txt'), 'changed')
  t.same(await w.check(), [])
  t.same(w.changes, [[x]])
})

t.test('a folder that cannot be watched is reported, the periodic check goes on', async (t) => {
  const dir = t.testdir()
  const file = join(dir, 'later', 'tor.txt')
  const w = start(t, { paths: [file], intervalMs: 20 })
  t.match(w.errors, [/^watching .*later \(the periodic check goes on\)$/])
  // the starting stamp (no file) is taken before the file appears: on a busy machine the watcher's
  // own first look could come after it, and then see no change
  await w.check()
  mkdirSync(join(dir, 'later'))
  writeFileSync(file, '185.220.101.1\n')
  await eventually(() => w.changes.length > 0 ? true : undefined)
  t.same(w.changes[0], [file])
})

t.test('an onChange that throws is reported, the watcher goes on', async (t) => {
  const dir = t.testdir({ 'f.txt': '1' })
  const file = join(dir, 'f.txt')
  const errors: string[] = []
  let calls = 0
  const watcher = watchFiles({
    paths: [file],
    intervalMs: HOUR,
    fsWatch: false,
    onChange: () => { calls++; throw new Error('reload failed') },
    onError: (err, context) => { errors.push(`${context}: ${(err as Error).message}`) }
  })
  t.teardown(() => watcher.close())
  await watcher.check()
  writeFileSync(file, '22')
  t.same(await watcher.check(), [file])
  writeFileSync(file, '333')
  t.same(await watcher.check(), [file])
  t.equal(calls, 2)
  t.match(errors, [/^reloading .*f\.txt: reload failed$/, /reload failed/])
})

t.test('close releases every fs.watch handle and timer; no change is reported after it', async (t) => {
  const dir = t.testdir({ one: { 'a.txt': 'a' }, two: { 'b.txt': 'b' } })
  const watchersBefore = await handles('FSEventWrap')
  const timersBefore = await handles('Timeout')
  const changes: string[][] = []
  const watcher = watchFiles({ paths: [join(dir, 'one', 'a.txt'), join(dir, 'two', 'b.txt')], intervalMs: HOUR, debounceMs: HOUR, onChange: (p) => { changes.push(p) } })
  await watcher.check()
  writeFileSync(join(dir, 'one', 'a.txt'), 'changed') // starts the debounce timer
  await eventually(async () => await handles('Timeout') >= timersBefore + 2 ? true : undefined)
  t.equal(await handles('FSEventWrap'), watchersBefore + 2, 'one fs.watch handle per folder')
  await watcher.close()
  t.equal(await handles('FSEventWrap'), watchersBefore, 'all closed')
  t.equal(await handles('Timeout'), timersBefore, 'the periodic check and the debounce timer too')
  t.same(await watcher.check(), [], 'a closed watcher checks nothing')
  t.same(changes, [])
})
