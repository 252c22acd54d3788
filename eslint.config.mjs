// ESLint flat config: @eslint/js recommended, typescript-eslint recommended with type information
// (src and test through test/tsconfig.json), and eslint-config-prettier last so that formatting is
// Prettier's alone (npm run format:check).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The console's browser script (plain ES5, no build step).
  { files: ['src/console/static/**/*.js'], languageOptions: { globals: { window: 'readonly', document: 'readonly' } } },
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'test/openapi-client/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { project: ['./test/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // The generated-client check has its own program (DOM lib, the types `npm run check:openapi-client` generates).
    files: ['test/openapi-client/**/*.ts'],
    languageOptions: { parserOptions: { project: ['./test/openapi-client/tsconfig.json'] } },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      // `_name` marks a deliberately unused binding (`const { passwordHash: _omit, ...rest } = user`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests read HTTP answers (supertest's `res.body` is `any` by design) and raw SQL rows: the
    // no-unsafe-* family would flag nearly every assertion. They stay on for src/.
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Plain JavaScript (configs, the jest transformer): no type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
