import { kekRotationVerdict } from './kek-rotation.deadline.js';

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000);
const policy = { rotationDays: 30, graceDays: 1 };

describe('the KEK rotation deadline', () => {
  it('given a vault with no epoch yet, then nothing is due', () => {
    expect(kekRotationVerdict([], day(100), policy)).toEqual({ rotate: false, overdue: false, oldestLiveAgeDays: 0 });
  });

  it('given a current epoch younger than the period, then no rotation', () => {
    expect(kekRotationVerdict([{ epoch: 1, createdAt: day(0) }], day(29), policy)).toEqual({ rotate: false, overdue: false, oldestLiveAgeDays: 29 });
  });

  it('given a current epoch exactly the period old, then it rotates, and it is not yet overdue', () => {
    expect(kekRotationVerdict([{ epoch: 1, createdAt: day(0) }], day(30), policy)).toEqual({ rotate: true, overdue: false, oldestLiveAgeDays: 30 });
  });

  it('given an epoch past the period and the slack (rotations failed), then it is overdue', () => {
    expect(kekRotationVerdict([{ epoch: 1, createdAt: day(0) }], day(32), policy)).toEqual({ rotate: true, overdue: true, oldestLiveAgeDays: 32 });
  });

  it('given old epochs already retired, then only the live ones count', () => {
    const epochs = [
      { epoch: 1, createdAt: day(0), retiredAt: day(30) },
      { epoch: 2, createdAt: day(30) },
    ];
    expect(kekRotationVerdict(epochs, day(45), policy)).toEqual({ rotate: false, overdue: false, oldestLiveAgeDays: 15 });
  });

  it('given an old epoch a crashed rotation left live beside a new one, then the old one decides', () => {
    const epochs = [
      { epoch: 1, createdAt: day(0) },
      { epoch: 2, createdAt: day(40) },
    ];
    expect(kekRotationVerdict(epochs, day(41), policy)).toMatchObject({ rotate: true, overdue: true });
  });

  it('given a period that is not positive, then it refuses', () => {
    expect(() => kekRotationVerdict([], day(0), { rotationDays: 0, graceDays: 1 })).toThrow(RangeError);
  });
});
