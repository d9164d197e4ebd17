import { uuidv7, uuidv7Timestamp } from './uuidv7.js';

describe('UUIDv7', () => {
  it('given a time, when minted, then the id carries version 7, the RFC variant and the millisecond timestamp', () => {
    const id = uuidv7(0x017f22e279b0, new Uint8Array(10).fill(0xff));

    expect(id).toMatch(/^017f22e2-79b0-7fff-bfff-ffffffffffff$/);
    expect(uuidv7Timestamp(id)).toBe(0x017f22e279b0);
  });

  it('given ids minted later, then they sort after earlier ones', () => {
    const ids = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000].map((ms) => uuidv7(ms));
    expect([...ids].sort()).toEqual(ids);
  });

  it('given the same millisecond, then the random part keeps ids unique', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000)));
    expect(ids.size).toBe(1000);
  });
});
