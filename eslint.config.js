import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'dist-*/**', 'node_modules/**', '.tap/**', 'data/build/**', '.scratch-*/**'] }),
  {
    // `export const X = {...} as const` beside `export type X = ...` is how we replace enums
    rules: { '@typescript-eslint/no-redeclare': 'off' }
  },
  {
    // the console's browser modules (src/console/public/): served as they are, run in the browser
    files: ['src/console/public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        window: 'readonly',
        document: 'readonly',
        location: 'readonly',
        fetch: 'readonly',
        Node: 'readonly',
        HTMLElement: 'readonly',
        HTMLButtonElement: 'readonly',
        URLSearchParams: 'readonly',
        Intl: 'readonly'
      }
    }
  }
]
