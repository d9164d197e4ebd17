import { RuleTester } from 'eslint';
import { join, resolve } from 'node:path';
import tseslint from 'typescript-eslint';
import { moduleBoundaries } from './module-boundaries.ts';

const root = resolve(process.cwd());
const file = (path: string) => join(root, path);
// The TypeScript parser, as in eslint.config.js: `import type` must be checked like any import.
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2024, sourceType: 'module' } });

describe('module boundaries', () => {
  tester.run('module-boundaries', moduleBoundaries.rules['module-boundaries'], {
    valid: [
      { filename: file('services/contacts/src/main.ts'), code: "import { runService } from '@crm/platform';" },
      { filename: file('services/contacts/src/contacts/x.ts'), code: "import { y } from '../app.module.js';" },
      { filename: file('libs/platform/src/run.ts'), code: "import { Secret } from '@crm/config';" },
      { filename: file('libs/config/src/a.ts'), code: "import { b } from './b.js';" },
      { filename: file('tests/e2e/a.e2e.spec.ts'), code: "import { expectEventually } from '@crm/testing';" },
      { filename: file('services/audit/src/main.ts'), code: "import { z } from 'zod';" },
      // Pure domain code throws @crm/errors and may use node: modules and the libs that load no framework.
      { filename: file('services/contacts/src/contacts/contact.decider.ts'), code: "import { AppError } from '@crm/errors';" },
      { filename: file('services/contacts/src/contacts/contact.decider.ts'), code: "import type { Decider } from '@crm/eventstore';" },
      { filename: file('services/identity/src/accounts/assign-roles/assign-roles.decision.ts'), code: "import { defineErrors } from '@crm/errors';" },
      { filename: file('libs/merkle/src/merkle.hash.ts'), code: "import { createHash } from 'node:crypto';" },
      { filename: file('services/identity/src/mfa/totp/otp.algorithm.ts'), code: "import { generateSync } from 'otplib';" },
      { filename: file('libs/errors/src/index.unit.spec.ts'), code: "import { AppError } from './index.js';" },
      // The same imports are fine outside pure domain code.
      { filename: file('services/contacts/src/contacts/create-contact/create-contact.route.ts'), code: "import { Controller } from '@nestjs/common';" },
      { filename: file('services/contacts/src/contacts/create-contact/create-contact.handler.ts'), code: "import { Injectable } from '@nestjs/common';" },
      { filename: file('services/identity/src/mfa/mfa.module.ts'), code: "import { AppError } from '@crm/http';" },
    ],
    invalid: [
      {
        filename: file('services/contacts/src/main.ts'),
        code: "import { x } from '@crm/service-identity';",
        errors: [{ messageId: 'serviceImportsService' }],
      },
      {
        filename: file('services/contacts/src/contacts/a.ts'),
        code: "import { x } from '../../../identity/src/main.js';",
        errors: [{ messageId: 'serviceImportsService' }],
      },
      {
        filename: file('services/contacts/src/a.ts'),
        code: "export * from '../../audit/src/app.module.js';",
        errors: [{ messageId: 'serviceImportsService' }],
      },
      {
        filename: file('services/contacts/src/a.ts'),
        code: "const m = await import('../../gateway/src/main.js');",
        errors: [{ messageId: 'serviceImportsService' }],
      },
      {
        filename: file('libs/platform/src/a.ts'),
        code: "import { x } from '../../../services/gateway/src/main.js';",
        errors: [{ messageId: 'libImportsService' }],
      },
      {
        filename: file('tests/e2e/a.e2e.spec.ts'),
        code: "import { x } from '../../services/contacts/src/main.js';",
        errors: [{ messageId: 'testsImportService' }],
      },
      {
        filename: file('services/identity/src/a.ts'),
        code: "import { x } from '@crm/config/src/secret.js';",
        errors: [{ messageId: 'deepImport' }],
      },
      {
        filename: file('services/identity/src/a.ts'),
        code: "import { x } from '../../../libs/config/src/secret.js';",
        errors: [{ messageId: 'relativeIntoLib' }],
      },
      {
        filename: file('services/contacts/src/contacts/contact.decider.ts'),
        code: "import { AppError } from '@crm/http';",
        errors: [{ messageId: 'domainImportsFramework', data: { specifier: '@crm/http' } }],
      },
      {
        filename: file('services/identity/src/accounts/assign-roles/assign-roles.decision.ts'),
        code: "import { Injectable } from '@nestjs/common';",
        errors: [{ messageId: 'domainImportsFramework', data: { specifier: '@nestjs/common' } }],
      },
      {
        filename: file('services/contacts/src/contacts/contact.invariants.ts'),
        code: "import { AppError } from '@crm/http';",
        errors: [{ messageId: 'domainImportsFramework', data: { specifier: '@crm/http' } }],
      },
      {
        filename: file('libs/testing/src/sample-ledger/sample-ledger.decider.ts'),
        code: "import { Injectable } from '@nestjs/common';",
        errors: [{ messageId: 'domainImportsFramework' }],
      },
      {
        filename: file('libs/merkle/src/merkle.tree.ts'),
        code: "import type { Pool } from 'pg';",
        errors: [{ messageId: 'domainImportsFramework' }],
      },
      {
        filename: file('libs/merkle/src/hash.store.ts'),
        code: "export { x } from '@crm/postgres';",
        errors: [{ messageId: 'domainImportsFramework' }],
      },
      {
        filename: file('services/contacts/src/contact-schema/contact-schema.ts'),
        code: "const kafka = await import('@platformatic/kafka');",
        errors: [{ messageId: 'domainImportsFramework' }],
      },
      {
        filename: file('services/identity/src/mfa/totp/totp-replay.guard.ts'),
        code: "import { Redis } from 'ioredis';\nimport { Kafka } from 'kafkajs';\nimport { runService } from '@crm/platform';\nimport { KafkaCluster } from '@crm/messaging';",
        errors: [
          { messageId: 'domainImportsFramework' },
          { messageId: 'domainImportsFramework' },
          { messageId: 'domainImportsFramework' },
          { messageId: 'domainImportsFramework' },
        ],
      },
      {
        filename: file('libs/errors/src/index.ts'),
        code: "import { inspect } from 'node:util';",
        errors: [{ messageId: 'errorsLibImportsPackage' }],
      },
    ],
  });
});
