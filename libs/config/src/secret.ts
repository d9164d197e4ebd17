import { inspect } from 'node:util';

const MASK = '***';

/**
 * A configuration value that must never be printed: logging, JSON.stringify, util.inspect and string
 * interpolation all see the mask. Only `reveal()` gives the value, so every use is greppable.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return MASK;
  }
}
