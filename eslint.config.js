import tseslint from 'typescript-eslint';

export default tseslint.config({ ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/test-output/**'] }, ...tseslint.configs.recommended, {
  rules: {
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    '@typescript-eslint/no-explicit-any': 'error',
    'no-constant-condition': ['error', { checkLoops: false }],
    // A package reaches another only through its name (@crossbar/core, ...), as users do:
    // a relative path into a sibling package (../../backend-ndarray/src/...) skips its
    // exports and its dependency declaration.
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: String.raw`^(\.\./)+(backend-[\w-]+|cli|conformance|core|modules|playground)/(src|test|examples|dist|browser|package\.json)(/|$)`,
            message: "Import another package by its name (e.g. '@crossbar/backend-ndarray'), not by a relative path into its folder.",
          },
        ],
      },
    ],
  },
});
