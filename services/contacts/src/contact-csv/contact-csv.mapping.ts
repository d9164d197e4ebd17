import { CONTACT_FIELDS, setAt, TRANSACTION_PREFIX, valueAt, type ContactData } from '../contact-schema/index.js';

type Tree = Record<string, unknown>;

/**
 * One CSV column per catalogue leaf of a contact (`name.given`, `emails`, `addresses.city` …), derived from the
 * catalogue like everything else. A list column holds one item per line inside its cell; the `addresses.*` columns
 * hold address i on line i of each, so a contact with three addresses is still one row and nothing is lost.
 */
export const CONTACT_CSV_COLUMNS: readonly string[] = CONTACT_FIELDS.filter((spec) => !spec.path.startsWith(TRANSACTION_PREFIX)).map((spec) =>
  columnOf(spec.path),
);

const PATH_OF_COLUMN: ReadonlyMap<string, string> = new Map(CONTACT_FIELDS.map((spec) => [columnOf(spec.path), spec.path]));

function columnOf(path: string): string {
  return path.replaceAll('[]', '');
}

/** The catalogue path behind a column, or undefined for a column the schema does not know. */
export function catalogPathOfColumn(column: string): string | undefined {
  return PATH_OF_COLUMN.get(column);
}

export function contactToCsvCells(data: Partial<ContactData>, columns: readonly string[]): string[] {
  return columns.map((column) => {
    const path = PATH_OF_COLUMN.get(column);
    if (path === undefined) return '';
    const [listPath, itemPath] = path.split('[]');
    if (itemPath === undefined) return text(valueAt(data, listPath!));
    const list = valueAt(data, listPath!);
    if (!Array.isArray(list)) return '';
    const items = list.map((item) => text(itemPath === '' ? item : valueAt(item, itemPath.slice(1))));
    return items.every((item) => item === '') ? '' : items.join('\n');
  });
}

/** A CSV row back into contact input (not yet validated: `validateContactInput` decides what is acceptable). */
export function csvCellsToContactInput(header: readonly string[], cells: readonly string[]): Tree {
  const out: Tree = {};
  header.forEach((column, index) => {
    const path = PATH_OF_COLUMN.get(column);
    const cell = cells[index] ?? '';
    if (path === undefined || cell === '') return;
    const [listPath, itemPath] = path.split('[]');
    if (itemPath === undefined) return setAt(out, listPath!, cell);
    const lines = cell.split(/\r?\n/);
    if (itemPath === '')
      return setAt(
        out,
        listPath!,
        lines.filter((line) => line !== ''),
      );
    const list = ((valueAt(out, listPath!) as Tree[] | undefined) ?? []).slice();
    lines.forEach((line, position) => {
      list[position] ??= {};
      if (line !== '') setAt(list[position]!, itemPath.slice(1), line);
    });
    setAt(out, listPath!, list);
  });
  for (const [key, value] of Object.entries(out)) {
    if (Array.isArray(value)) out[key] = value.filter((item) => !(typeof item === 'object' && item !== null && Object.keys(item).length === 0));
  }
  return out;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}
