import type { Purpose } from './contact-fields.catalogue.js';
import { fieldsForPurpose } from './contact-fields.lookup.js';

type Tree = Record<string, unknown>;

export interface Minimised<T> {
  value: T;
  /** Catalogue paths of the fields actually returned: what an access record lists. */
  fields: string[];
}

/**
 * Keeps only what `purpose` may see (GDPR Art. 5(1)(c)): every leaf whose catalogue path the purpose lists, so a
 * marketing read never carries a birth date and an analytics read never carries a name. `prefix` selects a sub-tree
 * of the catalogue (`transactions[].` for a transaction).
 */
export function minimiseToPurpose<T extends object>(value: T, purpose: Purpose, prefix = ''): Minimised<Partial<T>> {
  const allowed = new Set(fieldsForPurpose(purpose).map((spec) => spec.path));
  const fields = new Set<string>();
  const walk = (node: unknown, path: string): unknown => {
    if (Array.isArray(node)) {
      const items = node.map((item) => walk(item, `${path}[]`)).filter((item) => item !== undefined);
      return items.length === 0 ? undefined : items;
    }
    if (node !== null && typeof node === 'object') {
      const kept: Tree = {};
      for (const [key, child] of Object.entries(node as Tree)) {
        const next = walk(child, path === '' ? key : `${path}.${key}`);
        if (next !== undefined) kept[key] = next;
      }
      return Object.keys(kept).length === 0 ? undefined : kept;
    }
    if (!allowed.has(path)) return undefined;
    fields.add(path);
    return node;
  };
  const kept = walk(value, prefix.endsWith('.') ? prefix.slice(0, -1) : prefix);
  return { value: (kept ?? {}) as Partial<T>, fields: [...fields] };
}
