import tseslint from 'typescript-eslint';
import { moduleBoundaries } from './tools/eslint/module-boundaries.ts';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.crm/**', '.crm-test/**', '.nx/**', 'libs/contracts/src/gen/**'] },
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { crm: moduleBoundaries },
    rules: {
      'crm/module-boundaries': 'error',
      // A promise nobody awaits is an error nobody sees: in a service that is a silently lost write.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Launchers and build tools talk to a human on a terminal.
    files: ['tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
