// Lint rules, including the import boundaries of docs/architecture.md (style.md §8.2):
// each layer may import only downward.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const forbid = (files, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // scripts/runtime.cjs: CommonJS on purpose (it must speak even to an old system Node).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  forbid(['src/domain/**'], ['../*', '../../*', 'fastify', 'kysely', 'pg', 'better-sqlite3'], 'domain/ imports nothing of ours'),
  forbid(['src/scim/**'], ['**/storage/**', '**/services/**', '**/http/**', '**/auth/**', '**/cli/**', '**/config/**', 'fastify', 'kysely', 'pg', 'better-sqlite3'], 'scim/ is the pure protocol core: domain/ only'),
  forbid(['src/services/**'], ['**/http/**', '**/cli/**', '**/storage/kysely/**', '**/storage/dialects/**', 'fastify', 'kysely', 'pg', 'better-sqlite3'], 'services/ receive a store through storage/ports'),
  forbid(['src/storage/**'], ['**/http/**', '**/services/**', '**/cli/**', 'fastify'], 'storage/ knows nothing of HTTP or use cases'),
  forbid(['src/outbound/**'], ['**/storage/**', '**/services/**', '**/http/**', '**/auth/**', '**/cli/**', '**/config/**', 'fastify', 'kysely', 'pg', 'better-sqlite3'], 'outbound/ is the one guard for outgoing requests: no project layer above domain/'),
  forbid(['src/auth/**'], ['**/http/**', '**/cli/**', 'fastify'], 'auth/ knows no routes'),
  forbid(['src/http/**'], ['**/storage/kysely/**', '**/storage/dialects/**', '**/cli/**', 'kysely', 'pg', 'better-sqlite3'], 'http/ goes through services'),
  forbid(['src/cli/**'], ['**/http/**', '**/storage/kysely/**', 'fastify', 'kysely', 'pg', 'better-sqlite3'], 'cli/ calls services'),
);
