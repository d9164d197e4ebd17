// Integration and end-to-end tests talk to real brokers and databases on a shared 2-core machine: give each test
// room. This is a ceiling for a hung test, not a performance expectation (speed is the benchmark's job).
import { jest } from '@jest/globals';

jest.setTimeout(120_000);
