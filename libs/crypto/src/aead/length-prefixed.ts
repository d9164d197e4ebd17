/**
 * Canonical, unambiguous encoding of a tuple of strings and integers for use as AEAD associated data and KDF info.
 * Every string is prefixed by its UTF-8 byte length (u32, big-endian), so `("a|b", "c")` and `("a", "b|c")` can
 * never encode to the same bytes — a plain separator would let an attacker who controls one part shift bytes into
 * the next (the classic canonicalisation ambiguity).
 */
export type LengthPrefixedPart = { text: string } | { u32: number };

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * TextEncoder replaces a lone surrogate with U+FFFD, so two different JS strings could encode to the same bytes;
 * such strings are refused instead of being silently merged.
 */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

export function encodeLengthPrefixed(parts: readonly LengthPrefixedPart[]): Uint8Array {
  const encoder = new TextEncoder();
  const chunks = parts.map((part) => {
    if ('text' in part) {
      if (!isWellFormedText(part.text)) throw new RangeError('text part is not well-formed Unicode');
      const bytes = encoder.encode(part.text);
      const chunk = new Uint8Array(4 + bytes.length);
      new DataView(chunk.buffer).setUint32(0, bytes.length);
      chunk.set(bytes, 4);
      return chunk;
    }
    if (!Number.isInteger(part.u32) || part.u32 < 0 || part.u32 > 0xffff_ffff) throw new RangeError('u32 part out of range');
    const chunk = new Uint8Array(4);
    new DataView(chunk.buffer).setUint32(0, part.u32);
    return chunk;
  });
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
