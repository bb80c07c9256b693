import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'dist-*/**', 'node_modules/**', '.tap/**', 'data/build/**', '.scratch-*/**'] }),
  {
    // `export const X = {...} as const` beside `export type X = ...` is how we replace enums
    rules: { '@typescript-eslint/no-redeclare': 'off' }
  }
]
