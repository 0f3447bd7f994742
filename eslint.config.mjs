// ESLint (flat config): `npm run lint`. Formatting is Prettier's (eslint-config-prettier turns off the rules it owns).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';

export default defineConfig(
  // what .gitignore lists (built, installed, run-time folders), which flat config does not read
  { ignores: ['dist/**', 'coverage/**', '**/node_modules/**', '.ci/nr5/**', '.node-red-user/**', 'tmp/**', 'ui/dist/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // a stale eslint-disable comment fails the lint, so none outlives the code it excused
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // the code compares with === throughout; `== null` (null or undefined) is the one idiom allowed
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // a conditional or short-circuit statement is the code's idiom for "one of two calls" (`a ? f() : g()`)
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // `import x = require('...')` is TypeScript's typed import of a CommonJS `export =` (the Node-RED nodes)
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      // `const node = this`: Node-RED's own idiom for a node's constructor, whose callbacks need the node
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
      // `_`-prefixed names are deliberately unused (a callback's leading parameters, a rest sibling)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  // the library and the nodes: Node, with the rules that need types where they are cheap (one program, tsconfig.json)
  {
    files: ['lib/**/*.ts', 'nodes/**/*.ts'],
    languageOptions: { globals: globals.node, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // tests and benches: Node (the browser tests also hand functions to page.evaluate, typed by the DOM lib)
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      // Node-RED's node objects, msgs and the test helper reach the tests untyped (neither ships types for them)
      '@typescript-eslint/no-explicit-any': 'off',
      // they load code by a computed path (dist/, a transpiled copy, Node-RED from MARA_NODE_RED_PATH) or lazily
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  // build and tool scripts, the CLI: CommonJS JavaScript on Node
  {
    // lib/project/workbook-reader.js: the workbook reader's source, run as CommonJS in its own process or thread
    files: ['scripts/**/*.js', 'bin/**/*.js', 'lib/**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      // `const crypto = require('node:crypto')` is module-scoped in CommonJS: it shadows no global
      'no-redeclare': ['error', { builtinGlobals: false }],
    },
  },
  // the dashboard widget's browser code
  {
    files: ['ui/**/*.ts', 'ui/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['ui/**/*.js'],
    languageOptions: { sourceType: 'script' },
  },
  prettier,
);
