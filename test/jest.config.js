/** Unit specs beside the code (src/**\/*.spec.ts) and e2e specs over HTTP against a real PostgreSQL (test/). */
module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  testRegex: ['src/.*\\.spec\\.ts$', 'test/.*\\.e2e-spec\\.ts$'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  transform: {
    '^.+\\.tsx?$': [
      'ts-jest',
      {
        tsconfig: '<rootDir>/test/tsconfig.json',
        diagnostics: false,
        // The same OpenAPI plugin as `nest build`, so /docs-json in tests shows the DTO schemas.
        astTransformers: {
          before: [
            {
              path: '<rootDir>/test/helpers/swagger-transformer.js',
              options: { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts', '.entity.ts', '.responses.ts'] },
            },
          ],
        },
      },
    ],
  },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
  verbose: false,
};
