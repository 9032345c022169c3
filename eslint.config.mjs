// ESLint (npm run lint): the recommended rules of ESLint and typescript-eslint, and a few
// type-aware ones that catch real bugs cheaply (a promise nobody awaits, a promise where a value
// is expected, an await of a non-promise). Rules tuned are said with the reason beside them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'tests/fixtures/**', 'data/**', '.tickfold-cache/**', '.tickfold/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        // files outside tsconfig.json's include get a default project (typed like the rest)
        projectService: { allowDefaultProject: ['vitest.config.ts', 'examples/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // tsc checks it (noUnusedLocals in tsconfig.json), and knows a name used only in a doc
      // comment's {@link}, which this rule reports as unused
      '@typescript-eslint/no-unused-vars': 'off',
      // the text outputs are column-aligned, and the tests' patterns show the spaces as printed
      'no-regex-spaces': 'off',
      // a caught error turned into a TickfoldError says its cause in the message the user reads
      // (exit 2, no stack trace by design); a `cause` property would add nothing shown
      'preserve-caught-error': 'off',
    },
  },
  {
    // plain JavaScript (scripts/, this file): Node's globals, no type information
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
);
