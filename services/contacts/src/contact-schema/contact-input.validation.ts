import { CONTACT_FIELDS, LIST_LIMITS, TRANSACTION_PREFIX, type FieldSpec } from './contact-fields.catalogue.js';
import type { ContactData, ContactPatch, TransactionData } from './contact-data.types.js';
import { fieldInvalid, fieldUnknown, specialCategoryRefused, type FieldViolation } from './contact-schema.errors.js';
import { checkLeaf } from './field-formats.js';
import { valueAt } from './unit-paths.js';

export interface ContactValidationOptions {
  /** GDPR Art. 9 data (health) is accepted only where the deployment has a legal basis and enables it. */
  allowSpecialCategories: boolean;
}

/**
 * The shape of the input is derived from the catalogue, never written a second time: a field added there is
 * accepted here, and nothing else is.
 */
type Node = { kind: 'object'; children: Map<string, Node> } | { kind: 'list'; max: number; item: Node } | { kind: 'leaf'; spec: FieldSpec };

function buildTree(specs: readonly FieldSpec[], strip: string): Node {
  const root: Node = { kind: 'object', children: new Map() };
  for (const spec of specs) {
    const segments = spec.path.slice(strip.length).split('.');
    let node: Node = root;
    const walked: string[] = [];
    segments.forEach((segment, index) => {
      const isList = segment.endsWith('[]');
      const name = isList ? segment.slice(0, -2) : segment;
      walked.push(name);
      const last = index === segments.length - 1;
      if (node.kind !== 'object') throw new Error(`catalogue path ${spec.path} nests under a non-object`);
      let child = node.children.get(name);
      if (child === undefined) {
        const inner: Node = last ? { kind: 'leaf', spec } : { kind: 'object', children: new Map() };
        child = isList ? { kind: 'list', max: listLimit(walked.join('.')), item: inner } : inner;
        node.children.set(name, child);
      }
      node = child.kind === 'list' ? child.item : child;
    });
  }
  return root;
}

function listLimit(path: string): number {
  const max = LIST_LIMITS[path];
  if (max === undefined) throw new Error(`catalogue list ${path} has no item limit in LIST_LIMITS`);
  return max;
}

const CONTACT_TREE = buildTree(
  CONTACT_FIELDS.filter((spec) => !spec.path.startsWith(TRANSACTION_PREFIX)),
  '',
);
const TRANSACTION_TREE = buildTree(
  CONTACT_FIELDS.filter((spec) => spec.path.startsWith(TRANSACTION_PREFIX)),
  TRANSACTION_PREFIX,
);

interface Walk {
  unknown: string[];
  special: string[];
  invalid: FieldViolation[];
  allowSpecial: boolean;
  /** Patch mode: `null` removes a rectifiable unit (a leaf or a list not inside a list). */
  allowNull: boolean;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

function walk(value: unknown, node: Node, path: string, inList: boolean, ctx: Walk): unknown {
  if (value === null && ctx.allowNull && !inList && node.kind !== 'object') return null;
  switch (node.kind) {
    case 'object': {
      if (!isPlainObject(value)) {
        ctx.invalid.push({ field: path || '(root)', rule: 'type' });
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const [key, member] of Object.entries(value)) {
        const memberPath = path === '' ? key : `${path}.${key}`;
        const child = node.children.get(key);
        if (child === undefined) ctx.unknown.push(memberPath);
        else if (member !== undefined) out[key] = walk(member, child, memberPath, inList, ctx);
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        ctx.invalid.push({ field: path, rule: 'type' });
        return undefined;
      }
      if (value.length > node.max) ctx.invalid.push({ field: path, rule: 'maxItems', max: node.max });
      return value.map((item, index) => walk(item, node.item, `${path}[${index}]`, true, ctx));
    }
    case 'leaf': {
      if (node.spec.category === 'special' && !ctx.allowSpecial) {
        ctx.special.push(path);
        return undefined;
      }
      const result = checkLeaf(node.spec.format, value);
      if (result.ok) return result.value;
      ctx.invalid.push(result.max === undefined ? { field: path, rule: result.rule } : { field: path, rule: result.rule, max: result.max });
      return undefined;
    }
    default: {
      const _exhaustive: never = node;
      return _exhaustive;
    }
  }
}

/**
 * Unknown fields are reported first and alone (a client on the wrong schema version should fix that before anything
 * else), then refused special categories, then every invalid value at once, so a bulk import can report a row fully.
 */
function run(input: unknown, tree: Node, options: { allowSpecialCategories: boolean; allowNull: boolean }): unknown {
  const ctx: Walk = { unknown: [], special: [], invalid: [], allowSpecial: options.allowSpecialCategories, allowNull: options.allowNull };
  const out = walk(input, tree, '', false, ctx);
  if (ctx.unknown.length > 0) throw fieldUnknown(ctx.unknown);
  if (ctx.special.length > 0) throw specialCategoryRefused(ctx.special);
  if (ctx.invalid.length > 0) throw fieldInvalid(ctx.invalid);
  return out;
}

/** Validates and normalises a new contact's data (`CreateContact`), or throws a `CONTACT_FIELD_*` AppError. */
export function validateContactInput(input: unknown, options: ContactValidationOptions): ContactData {
  return pruneEmpty(run(input, CONTACT_TREE, { allowSpecialCategories: options.allowSpecialCategories, allowNull: false })) as ContactData;
}

/**
 * Validates a rectification. `null` removes a unit; removing special-category data is always allowed (erasing what
 * should not be held must never be blocked by the switch that stops it from being added).
 */
export function validateContactPatch(input: unknown, options: ContactValidationOptions): ContactPatch {
  const out = emptyListsToNull(run(input, CONTACT_TREE, { allowSpecialCategories: true, allowNull: true })) as ContactPatch;
  if (!options.allowSpecialCategories) {
    const refused = CONTACT_FIELDS.filter((spec) => spec.category === 'special' && !spec.path.includes('[]'))
      .map((spec) => spec.path)
      .filter((path) => valueAt(out, path) !== undefined && valueAt(out, path) !== null);
    if (refused.length > 0) throw specialCategoryRefused(refused);
  }
  return out;
}

/** Validates one transaction (`AddTransaction`): every field is required. */
export function validateTransactionInput(input: unknown): TransactionData {
  const out = run(input, TRANSACTION_TREE, { allowSpecialCategories: false, allowNull: false }) as Partial<TransactionData>;
  const missing = (['description', 'amountCents', 'currency', 'occurredAt'] as const)
    .filter((field) => out[field] === undefined)
    .map((field) => ({ field, rule: 'required' }));
  if (missing.length > 0) throw fieldInvalid(missing);
  return out as TransactionData;
}

/**
 * One meaning per state: an empty list or object is the same as no value, so `{ emails: [] }` and `{}` are the same
 * contact and a rectification between them changes nothing.
 */
function pruneEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => pruneEmpty(item));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const pruned = pruneEmpty(member);
    const empty = (Array.isArray(pruned) && pruned.length === 0) || (isPlainObject(pruned) && Object.keys(pruned).length === 0);
    if (pruned !== undefined && !empty) out[key] = pruned;
  }
  return out;
}

/** In a patch, replacing a list with an empty one is removing it. */
function emptyListsToNull(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    out[key] = Array.isArray(member) ? (member.length === 0 ? null : member.map((item) => pruneEmpty(item))) : emptyListsToNull(member);
  }
  return out;
}
