// The request desk's deadlines, as pure functions of explicit times (the decisions and the listing pass the clock).

/** A reply is due within one month of receipt (Art. 12(3)); the DPO may extend it by up to two further months. */
export const BASE_MONTHS = 1;
export const MAX_EXTENSION_MONTHS = 2;
/** An open request is "due soon" when its period ends within this many days. */
export const DUE_SOON_DAYS = 7;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The end of a period of `months` calendar months from `receivedAt` (Regulation 1182/71, Art. 3(2)(c)): the last
 * instant of the day, in the last month, with the same date as the day of receipt, or of that month's last day when it
 * has no such date (received 31 January → due 28/29 February, 23:59:59.999). Days are UTC days.
 */
export function periodEnd(receivedAt: string, months: number): string {
  const received = new Date(receivedAt);
  const year = received.getUTCFullYear();
  const month = received.getUTCMonth() + months;
  const lastDayOfTarget = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(received.getUTCDate(), lastDayOfTarget);
  return new Date(Date.UTC(year, month, day, 23, 59, 59, 999)).toISOString();
}

/** The due date of a request received at `receivedAt` whose period was extended by `extensionMonths` in total. */
export function dueAt(receivedAt: string, extensionMonths = 0): string {
  return periodEnd(receivedAt, BASE_MONTHS + extensionMonths);
}

/** Past its due date at `now`. */
export function isPastDue(due: string, now: string): boolean {
  return Date.parse(now) > Date.parse(due);
}

/** Not yet due at `now`, but within DUE_SOON_DAYS of it. */
export function isDueSoon(due: string, now: string): boolean {
  const left = Date.parse(due) - Date.parse(now);
  return left >= 0 && left <= DUE_SOON_DAYS * DAY_MS;
}

/** The start of the due-soon window of a due date (what the listing compares `due_at` with). */
export function dueSoonHorizon(now: string): string {
  return new Date(Date.parse(now) + DUE_SOON_DAYS * DAY_MS).toISOString();
}
