import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesContaining } from './marker-scan.js';

describe('the plaintext marker scan', () => {
  it('given files with and without the marker, including one where it straddles a 4 MiB chunk boundary, then exactly those with it are found', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crm-scan-'));
    mkdirSync(join(root, 'nested', 'deeper'), { recursive: true });
    const marker = 'PIIMARKER-abc123';
    const straddling = Buffer.alloc(4 * 1024 * 1024 + 100, 0x20);
    straddling.write(marker, 4 * 1024 * 1024 - 5);
    writeFileSync(join(root, 'nested', 'deeper', 'segment.log'), straddling);
    writeFileSync(join(root, 'plain.txt'), `before ${marker} after`);
    writeFileSync(join(root, 'clean.bin'), Buffer.from('PIIMARKER-abc12 and PIIMARKER-abc1234 differ? no: the second contains it'));
    writeFileSync(join(root, 'empty'), '');
    writeFileSync(join(root, 'other.txt'), 'nothing to see');

    const hits = await filesContaining([root, join(root, 'missing')], marker);

    expect(hits.map((file) => file.slice(root.length)).sort()).toEqual(['/clean.bin', '/nested/deeper/segment.log', '/plain.txt']);
  });
});
