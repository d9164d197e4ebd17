// Builds one workspace package (the current directory): src/**/*.ts → dist/**/*.js with swc.
// Type checking is a separate, whole-repo step (`npm run typecheck`): swc only strips types, which keeps
// a rebuild of a package in the tens of milliseconds.
import { transformFile } from '@swc/core';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, dirname, basename } from 'node:path';
import { swcOptions } from './swc-options.ts';

const packageRoot = process.cwd();
const srcDir = join(packageRoot, 'src');
const outDir = join(packageRoot, 'dist');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      const isSource = entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.spec.ts');
      return isSource ? [path] : [];
    }),
  );
  return nested.flat();
}

await rm(outDir, { recursive: true, force: true });
const files = await sourceFiles(srcDir);
await Promise.all(
  files.map(async (file) => {
    const target = join(outDir, relative(srcDir, file)).replace(/\.ts$/, '.js');
    const { code, map } = await transformFile(file, { ...swcOptions, filename: file, sourceFileName: relative(dirname(target), file) } as never);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, map ? `${code}\n//# sourceMappingURL=${basename(target)}.map\n` : code);
    if (map) await writeFile(`${target}.map`, map);
  }),
);
console.log(`built ${files.length} files → ${relative(process.cwd(), outDir) || '.'}`);
