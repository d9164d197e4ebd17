import { Global, Module } from '@nestjs/common';
import { systemClock, type Clock } from '@crm/crypto';

/**
 * The time every service's logic reads: inject `CLOCK` (a `() => Date`) instead of calling `new Date()`, so that a
 * test can pin it and domain code stays free of ambient time.
 */
export const CLOCK = Symbol('CLOCK');

@Global()
@Module({ providers: [{ provide: CLOCK, useValue: systemClock }], exports: [CLOCK] })
export class ClockModule {}

export type { Clock };
