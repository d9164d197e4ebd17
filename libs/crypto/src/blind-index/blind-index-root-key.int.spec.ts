import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlindIndexer } from './blind-indexer.js';

let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'crm-blind-index-it-'));
});

afterEach(() => rm(stateDir, { recursive: true, force: true }));

describe('the blind-index root key', () => {
  it('given no key yet, when several processes start at once, then one private key is generated and all of them use it', async () => {
    const indexers = await Promise.all(Array.from({ length: 5 }, () => BlindIndexer.fromStateDir(stateDir, { 'contacts.email': 'email' })));

    const values = new Set(indexers.map((indexer) => indexer.blindIndex('contacts.email', 'jane@example.com')));
    expect(values.size).toBe(1);
    const file = await stat(BlindIndexer.rootKeyPath(stateDir));
    expect(file.size).toBe(32);
    expect(file.mode & 0o777).toBe(0o600);
  });

  it('given an existing key, then a later start reuses it', async () => {
    const first = await BlindIndexer.fromStateDir(stateDir, { 'contacts.email': 'email' });
    const later = await BlindIndexer.fromStateDir(stateDir, { 'contacts.email': 'email' });

    expect(later.blindIndex('contacts.email', 'jane@example.com')).toBe(first.blindIndex('contacts.email', 'jane@example.com'));
  });
});
