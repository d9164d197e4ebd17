type Tree = Record<string, unknown>;

/**
 * Reading and writing contact data by dotted path (`name.given`, `preferences.channels`): the paths of the field
 * catalogue without their `[]` list marks. Lists are values here, never descended into.
 */
export function valueAt(root: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Tree)[key] : undefined), root);
}

export function setAt(root: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = root;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Tree;
  node[keys.at(-1)!] = value;
}

/** Removes the value at `path` and any object it leaves empty, so "no value" has one representation. */
export function unsetAt(root: Tree, path: string): void {
  const [head, ...rest] = path.split('.');
  const child = root[head!];
  if (rest.length === 0) {
    delete root[head!];
    return;
  }
  if (typeof child !== 'object' || child === null) return;
  unsetAt(child as Tree, rest.join('.'));
  if (Object.keys(child).length === 0) delete root[head!];
}
