import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ContactsImportedSchema } from '@crm/contracts';
import { protoEvent, uuidv7, type EventStore } from '@crm/eventstore';
import { AppError } from '@crm/http';
import { EVENT_STORE } from '@crm/platform';
import { REDIS, type Redis } from '@crm/redis';
import { catalogPathOfColumn, csvCellsToContactInput } from '../contact-csv/contact-csv.mapping.js';
import { CsvSyntaxError, parseCsv } from '../contact-csv/csv.format.js';
import { validateContactInput, type ContactData } from '../contact-schema/index.js';
import { CONTACTS_CONFIG, type ContactsConfig } from '../contacts.config.js';
import { ContactCommands } from '../contacts/contact-commands.service.js';
import { importStream } from '../contacts/contact.streams.js';
import { eventMetadata, type ProcessingContext } from '../processing/processing-context.js';

export type ImportFormat = 'csv' | 'jsonl';

/**
 * One refused row: its number in the file (1 = first data row) and why, by code and catalogue field path, never by
 * value, nor by a field name the caller made up (those are counted: `unknownFields`).
 */
export interface RejectedRow {
  row: number;
  code: string;
  fields?: unknown;
  unknownFields?: number;
}

export interface ImportReport {
  importId: string;
  status: 'running' | 'completed' | 'failed';
  totalRows: number;
  processedRows: number;
  importedRows: number;
  rejectedRows: number;
  rejected: RejectedRow[];
  /** Set when the import stopped early; rows after `processedRows` were not imported. */
  errorCode?: string;
}

export const MAX_IMPORT_ROWS = 10_000;
const BATCH = 100;
const REPORT_TTL_SECONDS = 24 * 3_600;
const reportKey = (importId: string): string => `contacts:import:${importId}`;

type ParsedRow = { row: number; contact: ContactData } | { row: number; rejected: RejectedRow };

/**
 * Bulk import. The file is parsed and every row validated up front (a syntax error refuses the whole file, so
 * nothing is half-imported by accident); valid rows are then created in batches, each batch one transaction,
 * while the report on Redis shows progress and every refused row with its code.
 */
@Injectable()
export class ContactImport implements OnApplicationShutdown {
  readonly #logger = new Logger('ContactImport');
  readonly #running = new Set<Promise<void>>();

  constructor(
    private readonly commands: ContactCommands,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONTACTS_CONFIG) private readonly config: ContactsConfig,
  ) {}

  async start(format: ImportFormat, content: string, context: ProcessingContext): Promise<ImportReport> {
    const rows = format === 'csv' ? this.#parseCsv(content) : this.#parseJsonLines(content);
    if (rows.length > MAX_IMPORT_ROWS) {
      throw new AppError('IMPORT_TOO_LARGE', 'invalid', 'the file holds more rows than one import may', { details: { maxRows: MAX_IMPORT_ROWS } });
    }
    const rejected = rows.flatMap((row) => ('rejected' in row ? [row.rejected] : []));
    const report: ImportReport = {
      importId: uuidv7(),
      status: 'running',
      totalRows: rows.length,
      processedRows: 0,
      importedRows: 0,
      rejectedRows: rejected.length,
      rejected,
    };
    await this.#save(report, context.actorId);
    const job = this.#run(report, rows, context).finally(() => this.#running.delete(job));
    this.#running.add(job);
    return report;
  }

  /** The report, for the user who started the import only (another user's import is "not found"). */
  async report(importId: string, actorId: string): Promise<ImportReport> {
    const raw = /^[0-9a-f-]{36}$/i.test(importId) ? await this.redis.get(reportKey(importId)) : null;
    const stored = raw === null ? undefined : (JSON.parse(raw) as { owner: string; report: ImportReport });
    if (stored === undefined || stored.owner !== actorId) throw new AppError('IMPORT_NOT_FOUND', 'not_found', 'no import with this id');
    return stored.report;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }

  async #run(report: ImportReport, rows: readonly ParsedRow[], context: ProcessingContext): Promise<void> {
    try {
      for (let start = 0; start < rows.length; start += BATCH) {
        const batch = rows.slice(start, start + BATCH);
        const valid = batch.flatMap((row) => ('contact' in row ? [{ contactId: uuidv7(), data: row.contact }] : []));
        if (valid.length > 0) await this.commands.createMany(valid, context);
        report.importedRows += valid.length;
        report.processedRows += batch.length;
        await this.#save(report, context.actorId);
      }
      report.status = 'completed';
      const summary = { importId: report.importId, totalRows: report.totalRows, importedRows: report.importedRows, rejectedRows: report.rejectedRows };
      await this.store.append(importStream(report.importId), 'no_stream', [protoEvent(ContactsImportedSchema, summary)], eventMetadata(context));
    } catch (error) {
      report.status = 'failed';
      report.errorCode = error instanceof AppError ? error.code : 'IMPORT_FAILED';
      this.#logger.error(`import ${report.importId} stopped after ${report.processedRows} rows (${report.errorCode})`);
    }
    await this.#save(report, context.actorId).catch(() => undefined);
  }

  async #save(report: ImportReport, owner: string): Promise<void> {
    await this.redis.set(reportKey(report.importId), JSON.stringify({ owner, report }), 'EX', REPORT_TTL_SECONDS);
  }

  #validate(row: number, input: unknown): ParsedRow {
    try {
      return { row, contact: validateContactInput(input, { allowSpecialCategories: this.config.allowSpecialCategories }) };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // Unknown fields are named by the caller's own keys (user input, possibly personal data): the report counts
      // them instead. Every other code names catalogue paths only.
      if (error.code === 'CONTACT_FIELD_UNKNOWN') {
        const unknown = error.details?.fields;
        return { row, rejected: { row, code: error.code, unknownFields: Array.isArray(unknown) ? unknown.length : 1 } };
      }
      return { row, rejected: { row, code: error.code, ...(error.details?.fields === undefined ? {} : { fields: error.details.fields }) } };
    }
  }

  #parseCsv(content: string): ParsedRow[] {
    let records: string[][];
    try {
      records = parseCsv(content);
    } catch (error) {
      if (!(error instanceof CsvSyntaxError)) throw error;
      throw new AppError('IMPORT_MALFORMED', 'invalid', 'the CSV file is not well-formed', { details: { line: error.line } });
    }
    const [header, ...data] = records;
    if (header === undefined) throw new AppError('IMPORT_EMPTY', 'invalid', 'the file holds no header and no rows');
    const columns = header.map((column) => column.trim());
    // Positions, not names: a header is user input too.
    const unknown = columns.flatMap((column, index) => (catalogPathOfColumn(column) === undefined ? [index + 1] : []));
    if (unknown.length > 0)
      throw new AppError('IMPORT_COLUMN_UNKNOWN', 'invalid', 'the header names columns the contact schema does not declare', { details: { columns: unknown } });
    if (new Set(columns).size !== columns.length) throw new AppError('IMPORT_COLUMN_DUPLICATE', 'invalid', 'a column appears twice in the header');
    return data.map((cells, index) =>
      cells.length > columns.length
        ? { row: index + 1, rejected: { row: index + 1, code: 'IMPORT_ROW_TOO_MANY_CELLS' } }
        : this.#validate(index + 1, csvCellsToContactInput(columns, cells)),
    );
  }

  #parseJsonLines(content: string): ParsedRow[] {
    const lines = content.split(/\r?\n/).filter((line) => line.trim() !== '');
    return lines.map((line, index) => {
      let input: unknown;
      try {
        input = JSON.parse(line);
      } catch {
        return { row: index + 1, rejected: { row: index + 1, code: 'IMPORT_ROW_MALFORMED' } };
      }
      return this.#validate(index + 1, input);
    });
  }
}
