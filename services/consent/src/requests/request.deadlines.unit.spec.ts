import { dueAt, dueSoonHorizon, isDueSoon, isPastDue, periodEnd } from './request.deadlines.js';

describe('the request desk deadlines', () => {
  it('given a receipt, then the reply is due at the end of the same date one calendar month later (UTC)', () => {
    expect(dueAt('2027-01-15T10:30:00.000Z')).toBe('2027-02-15T23:59:59.999Z');
    expect(dueAt('2027-12-01T00:00:00.000Z')).toBe('2028-01-01T23:59:59.999Z');
  });

  it("given a date the next month does not have, then the period ends on that month's last day", () => {
    expect(dueAt('2027-01-31T12:00:00.000Z')).toBe('2027-02-28T23:59:59.999Z');
    expect(dueAt('2028-01-31T12:00:00.000Z')).toBe('2028-02-29T23:59:59.999Z');
    expect(periodEnd('2027-03-31T12:00:00.000Z', 3)).toBe('2027-06-30T23:59:59.999Z');
  });

  it('given extensions, then the period is counted from receipt (one plus the months added)', () => {
    expect(dueAt('2027-01-31T12:00:00.000Z', 2)).toBe('2027-04-30T23:59:59.999Z');
    expect(dueAt('2027-11-15T12:00:00.000Z', 2)).toBe('2028-02-15T23:59:59.999Z');
  });

  it('is past due only after the last instant of the due date', () => {
    const due = '2027-02-15T23:59:59.999Z';
    expect(isPastDue(due, '2027-02-15T23:59:59.999Z')).toBe(false);
    expect(isPastDue(due, '2027-02-16T00:00:00.000Z')).toBe(true);
  });

  it('is due soon within seven days before the due date, not before and not after it', () => {
    const due = '2027-02-15T23:59:59.999Z';
    expect(isDueSoon(due, '2027-02-08T23:59:59.999Z')).toBe(true);
    expect(isDueSoon(due, '2027-02-08T23:59:59.998Z')).toBe(false);
    expect(isDueSoon(due, '2027-02-15T23:59:59.999Z')).toBe(true);
    expect(isDueSoon(due, '2027-02-16T00:00:00.000Z')).toBe(false);
    expect(dueSoonHorizon('2027-02-08T23:59:59.999Z')).toBe(due);
  });
});
