// Shared jest configuration. NestJS 12 is ESM-only, so jest runs in ESM mode
// (NODE_OPTIONS=--experimental-vm-modules) with swc compiling TypeScript and
// emitting decorator metadata (class-validator depends on it).
export function jestConfig(overrides = {}) {
  return {
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
            target: 'es2022',
            keepClassNames: true,
          },
          module: { type: 'es6' },
        },
      ],
    },
    testMatch: ['<rootDir>/src/**/*.test.ts'],
    testTimeout: 30000,
    ...overrides,
  };
}
