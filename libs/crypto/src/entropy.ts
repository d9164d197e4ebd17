import { randomBytes as nodeRandomBytes } from 'node:crypto';

/** Randomness is injected where tests need to control it; production always uses the CSPRNG. */
export type RandomBytes = (size: number) => Uint8Array;
export const systemRandomBytes: RandomBytes = (size) => nodeRandomBytes(size);

/** Wall-clock time, injected so that no logic calls `new Date()` itself. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
