import { mirrorHealth } from './mirror-alarm.decision.js';

const startedAt = new Date('2026-12-01T06:00:00Z');
const at = (seconds: number) => new Date(startedAt.getTime() + seconds * 1000);

describe('mirrorHealth', () => {
  it('given no lag, then ok however long the mirror has been quiet', () => {
    expect(mirrorHealth({ at: at(3_600), totalLag: 0n, lastProgressAt: undefined }, startedAt, 60_000)).toBe('ok');
  });

  it('given lag and progress within the window, then ok', () => {
    expect(mirrorHealth({ at: at(100), totalLag: 5n, lastProgressAt: at(41) }, startedAt, 60_000)).toBe('ok');
  });

  it('given lag and no progress for the whole window, then stalled', () => {
    expect(mirrorHealth({ at: at(100), totalLag: 5n, lastProgressAt: at(40) }, startedAt, 60_000)).toBe('stalled');
  });

  it('given lag and no progress since the service started, then stalled once the window has passed since the start', () => {
    expect(mirrorHealth({ at: at(59), totalLag: 1n, lastProgressAt: undefined }, startedAt, 60_000)).toBe('ok');
    expect(mirrorHealth({ at: at(60), totalLag: 1n, lastProgressAt: undefined }, startedAt, 60_000)).toBe('stalled');
  });
});
