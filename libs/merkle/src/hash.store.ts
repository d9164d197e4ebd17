import { HASH_SIZE } from './merkle.hash.js';

/**
 * An append-only array of 32-byte hashes packed into fixed-size chunks. One `Uint8Array` per hash would cost about
 * three times the 32 bytes in object headers and pointers for millions of entries; one big growable buffer would
 * copy everything on each doubling and leave up to half of it unused. Chunks are never copied, and at most one
 * chunk per store is partly empty.
 */
export class HashStore {
  private readonly chunks: Uint8Array[] = [];
  private count = 0;

  constructor(private readonly hashesPerChunk: number) {}

  get length(): number {
    return this.count;
  }

  push(hash: Uint8Array): void {
    const slot = this.count % this.hashesPerChunk;
    if (slot === 0) this.chunks.push(new Uint8Array(this.hashesPerChunk * HASH_SIZE));
    this.chunks[this.chunks.length - 1]!.set(hash, slot * HASH_SIZE);
    this.count++;
  }

  /** A view into the store, not a copy: callers must copy before handing it out of the lib. */
  view(index: number): Uint8Array {
    const chunk = this.chunks[Math.floor(index / this.hashesPerChunk)]!;
    const offset = (index % this.hashesPerChunk) * HASH_SIZE;
    return chunk.subarray(offset, offset + HASH_SIZE);
  }
}
