import { RuleTester } from 'eslint';
import { join, resolve } from 'node:path';
import { moduleBoundaries } from './module-boundaries.ts';

const root = resolve(process.cwd());
const file = (path: string) => join(root, path);
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: 'module' } });

describe('module boundaries', () => {
  tester.run('module-boundaries', moduleBoundaries.rules['module-boundaries'], {
    valid: [
      { filename: file('services/contacts/src/main.ts'), code: "import { runService } from '@crm/platform';" },
      { filename: file('services/contacts/src/contacts/x.ts'), code: "import { y } from '../app.module.js';" },
      { filename: file('libs/platform/src/run.ts'), code: "import { Secret } from '@crm/config';" },
      { filename: file('libs/config/src/a.ts'), code: "import { b } from './b.js';" },
      { filename: file('tests/e2e/a.e2e.spec.ts'), code: "import { expectEventually } from '@crm/testing';" },
      { filename: file('services/audit/src/main.ts'), code: "import { z } from 'zod';" },
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
    ],
  });
});
