// Five projects, one per test kind (see docs/architecture.md): the file name says which servers a test needs.
// Jest runs native ESM (NestJS 12 ships ESM only) under `node --experimental-vm-modules`; swc compiles TypeScript
// with the same options as the build, so tests exercise the code the services run.
import { swcOptions } from './tools/swc-options.ts';

const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleNameMapper: {
    '^@crm/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.crm/', '<rootDir>/.crm-test/', '<rootDir>/dist/', '<rootDir>/.*/dist/'],
  watchPathIgnorePatterns: ['<rootDir>/.crm/'],
};

export default {
  // On two cores Jest runs with one worker, and one worker would mean in band: every spec file in Jest's own process,
  // whose heap then grows with each file until the whole unit and integration run dies at the heap limit (seen on a
  // fresh clone). A memory limit keeps the worker a child process, replaced when a file leaves it above the limit.
  workerIdleMemoryLimit: '1GB',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,tools}/**/*.unit.spec.ts'] },
    {
      ...shared,
      displayName: 'int',
      testMatch: ['<rootDir>/{libs,services,tools}/**/*.int.spec.ts', '<rootDir>/tests/architecture/**/*.int.spec.ts'],
      slowTestThreshold: 30,
      setupFilesAfterEnv: ['<rootDir>/tools/jest/slow-tests.setup.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/tests/e2e/**/*.e2e.spec.ts'],
      slowTestThreshold: 60,
      setupFilesAfterEnv: ['<rootDir>/tools/jest/slow-tests.setup.ts'],
    },
    // Destroys the primary's data and restores it from the backups: run last, alone (npm test's final step).
    { ...shared, displayName: 'disaster', testMatch: ['<rootDir>/tests/disaster/**/*.disaster.spec.ts'] },
    // Faults injected into the running platform (docs/reliability.md): after the disaster test, on what it restored.
    { ...shared, displayName: 'resilience', testMatch: ['<rootDir>/tests/resilience/**/*.resilience.spec.ts'] },
  ],
};
