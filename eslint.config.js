// ESLint (flat config): typescript-eslint's type-aware recommended rules over the whole workspace,
// plus the house rules of docs/architecture.md that a machine can check. Formatting is Prettier's
// (eslint-config-prettier turns off the rules it owns).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/build/**',
      '**/coverage/**',
      '.bench-build/**',
      'data/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // An `async` method that does not await still turns a synchronous throw into a rejection,
      // which is what the driver SPI and the repository interfaces promise their callers.
      '@typescript-eslint/require-await': 'off',
      // A `let` read by closures built before its one assignment stays a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Errors caught as `unknown` are passed on as they came.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      // A `function` scheduler callback needs its own `this` beside the owner's.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['sim', 'board', 'channel', 'clock'] }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Libraries: no console (they log through the injected logger) and no bare clocks or timers
    // (time is injected: docs/architecture.md §3).
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/test-*.ts', '**/testing.ts', '**/test-support.ts', '**/real-board-harness.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use the injected scheduler (docs/architecture.md §3).' },
        { name: 'setInterval', message: 'Use the injected scheduler (docs/architecture.md §3).' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'Use the injected scheduler: scheduler.now() (docs/architecture.md §3).',
        },
      ],
    },
  },
  {
    // Tests: vitest's asymmetric matchers (`expect.stringContaining`) are typed `any`, and test
    // doubles hand out methods freely.
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**', 'apps/*/test/**'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // The Ink console: the rules of hooks.
    files: ['apps/tui-console/**/*.tsx', 'apps/tui-console/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  prettier,
);
