import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// These tests run the real `buf` CLI (and through it the local protoc-gen-es), which is why they are `int`:
// the point is that the checks CI relies on actually pass here, and actually can fail.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const bufBin = join(repoRoot, 'node_modules', '.bin', 'buf');
const genDir = join(repoRoot, 'libs', 'contracts', 'src', 'gen');
const timeoutMs = 60_000;

function run(command: string, args: readonly string[], cwd = repoRoot) {
  // protoc-gen-es is a `#!/usr/bin/env node` script: put this very Node first so it runs on the same runtime.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const buf = (args: readonly string[], cwd?: string) => run(bufBin, args, cwd);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('protobuf contracts (buf)', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'crm-contracts-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it(
    'given proto/, when linted with the STANDARD rules, then there is nothing to report',
    () => {
      const result = buf(['lint']);

      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    },
    timeoutMs,
  );

  it(
    'given the main branch, when proto/ is checked for breaking changes against it, then none are found',
    () => {
      const mainProto = run('git', ['ls-tree', '-d', 'main', 'proto']);
      expect(mainProto.status).toBe(0);

      if (mainProto.output.trim() === '') {
        // Before the first commit of proto/ to main there is no history to break: the check is vacuous, and buf
        // itself refuses an input without .proto files. Say so instead of passing silently.
        process.stderr.write('buf breaking: main has no proto/ directory yet, so the check against main is vacuous (skipped)\n');
        expect(mainProto.output.trim()).toBe('');
        return;
      }
      const result = buf(['breaking', '--against', '.git#branch=main']);

      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    },
    timeoutMs,
  );

  it(
    'given a copy of proto/ with a field renumbered, when checked against the original, then buf breaking fails with a FIELD rule',
    async () => {
      const before = join(scratch, 'before');
      const after = join(scratch, 'after');
      for (const dir of [before, after]) {
        await cp(join(repoRoot, 'proto'), join(dir, 'proto'), { recursive: true });
        await cp(join(repoRoot, 'buf.yaml'), join(dir, 'buf.yaml'));
      }
      const sealedField = join(after, 'proto', 'crm', 'crypto', 'v1', 'sealed_field.proto');
      const original = await readFile(sealedField, 'utf8');
      const renumbered = original.replace('bytes nonce = 4;', 'bytes nonce = 6;');
      expect(renumbered).not.toBe(original);
      await writeFile(sealedField, renumbered);

      const result = buf(['breaking', 'after', '--against', 'before', '--error-format=json'], scratch);

      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/"type":"FIELD_[A-Z_]+"/);
      expect(result.output).toContain('sealed_field.proto');
    },
    timeoutMs,
  );

  it(
    'given buf.gen.yaml, when the code is generated afresh, then it matches libs/contracts/src/gen byte for byte',
    async () => {
      const output = join(scratch, 'generated');

      // --output prefixes the template's `out`, so this runs the committed template unchanged.
      const result = buf(['generate', '--output', output]);
      expect(result.output).toBe('');
      expect(result.status).toBe(0);

      const fresh = join(output, 'libs', 'contracts', 'src', 'gen');
      const freshFiles = await filesUnder(fresh);
      expect(freshFiles.length).toBeGreaterThan(0);
      expect(await filesUnder(genDir)).toEqual(freshFiles);
      for (const file of freshFiles) {
        const [expected, actual] = await Promise.all([readFile(join(fresh, file)), readFile(join(genDir, file))]);
        expect({ file, upToDate: actual.equals(expected) }).toEqual({ file, upToDate: true });
      }
    },
    timeoutMs,
  );
});
