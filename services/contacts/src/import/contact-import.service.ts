import { Inject, Injectable, Logger } from '@nestjs/common';
import { ContactsImportedSchema } from '@crm/contracts';
import { sealedFieldFromBytes, sealedFieldToBytes, type CachingKeyStore, type FieldCipher } from '@crm/crypto';
import { protoEvent, quoteIdent, uuidv7, type EventStore } from '@crm/eventstore';
import { AppError } from '@crm/http';
import { errorCode } from '@crm/processing';
import { CLOCK, EVENT_STORE, FIELD_CIPHER, KEY_CACHE, type Clock } from '@crm/platform';
import { PG_POOL, withTransaction, type Pool, type PoolClient } from '@crm/postgres';
import { catalogPathOfColumn, csvCellsToContactInput } from '../contact-csv/contact-csv.mapping.js';
import { CsvSyntaxError, parseCsv } from '../contact-csv/csv.format.js';
import { validateContactInput, type ContactData } from '../contact-schema/index.js';
import { CONTACTS_CONFIG, type ContactsConfig } from '../contacts.config.js';
import { ContactCommands } from '../contacts/contact-commands.service.js';
import { CONTACTS_SCHEMA, importStream } from '../contacts/contact.streams.js';
import { eventMetadata, type ProcessingContext } from '../processing/processing-context.js';
import { ImportJobs, type ImportAttempt, type ImportRunner } from './import.jobs.js';
import { decideRunFailure } from './import.retry.js';

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
  /** `queued` until a worker takes it; `running` again after a crash until another worker resumes it. */
  status: 'queued' | 'running' | 'completed' | 'failed';
  totalRows: number;
  processedRows: number;
  importedRows: number;
  rejectedRows: number;
  rejected: RejectedRow[];
  /** Set when the import stopped early; rows after `processedRows` were not imported. */
  errorCode?: string;
}

/** Where a test steps into a run: after a batch's rows are stored (to stop the process there, as a crash would). */
export type ImportFault = (importId: string, processedRows: number) => void | Promise<void>;

/** Thrown out of a run when the process stops between two batches (BullMQ runs the job again later). */
class ImportInterrupted extends Error {
  override readonly name = 'ImportInterrupted';
}

export const MAX_IMPORT_ROWS = 10_000;
/** The sealed file's field path under the import's own key. */
const CONTENT_FIELD = 'import.content';

type ParsedRow = { row: number; contact: ContactData } | { row: number; rejected: RejectedRow };

interface ImportRow {
  import_id: string;
  owner: string;
  status: ImportReport['status'];
  format: ImportFormat;
  context: ProcessingContext;
  sealed_content: Buffer | null;
  total_rows: number;
  processed_rows: number;
  imported_rows: number;
  rejected: RejectedRow[];
  error_code: string | null;
}

/**
 * Bulk import as a BullMQ job. The request parses the file and validates every row (a syntax error or an unknown
 * column refuses the whole file, so nothing is half-imported by accident), stores the file sealed under a key of the
 * import's own in the key vault with the report (Postgres: refused rows by number and code), and queues the job.
 *
 * The job creates the valid rows in batches, each batch one transaction that also writes the import's row ledger
 * (row → contact) and its progress. A process that dies mid-import leaves its job to another worker (ImportJobs),
 * whose run skips every row in the ledger: each row becomes a contact exactly once. At the end, in one transaction,
 * the PII-free `ContactsImported` event is stored, the import marked completed and the sealed file dropped; then the
 * file's key is destroyed, so no copy of the upload (WAL, backups) can be opened any more.
 */
@Injectable()
export class ContactImport implements ImportRunner {
  readonly #logger = new Logger('ContactImport');
  readonly #s = quoteIdent(CONTACTS_SCHEMA);
  /** Test seam: called after each stored batch (see ImportFault). */
  fault: ImportFault | undefined;

  constructor(
    private readonly commands: ContactCommands,
    private readonly jobs: ImportJobs,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(KEY_CACHE) private readonly keys: CachingKeyStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONTACTS_CONFIG) private readonly config: ContactsConfig,
  ) {
    jobs.serve(this);
  }

  async start(format: ImportFormat, content: string, context: ProcessingContext): Promise<ImportReport> {
    const rows = this.#parse(format, content);
    if (rows.length > MAX_IMPORT_ROWS) {
      throw new AppError('IMPORT_TOO_LARGE', 'invalid', 'the file holds more rows than one import may', { details: { maxRows: MAX_IMPORT_ROWS } });
    }
    const rejected = rows.flatMap((row) => ('rejected' in row ? [row.rejected] : []));
    const importId = uuidv7();
    const sealed = sealedFieldToBytes(await this.cipher.seal(importId, CONTENT_FIELD, content));
    const now = this.clock();
    await this.pool.query(
      `INSERT INTO ${this.#s}.contact_imports (import_id, owner, status, format, context, sealed_content, total_rows, rejected, created_at, updated_at)
       VALUES ($1, $2, 'queued', $3, $4::jsonb, $5, $6, $7::jsonb, $8, $8)`,
      [importId, context.actorId, format, JSON.stringify(context), sealed, rows.length, JSON.stringify(rejected), now],
    );
    try {
      await this.jobs.enqueue(importId);
    } catch (error) {
      // Redis unreachable: nothing would ever run the import, so it ends here and the stored file goes with its key.
      this.#logger.warn(`import ${importId} could not be queued (${(error as Error).name})`);
      await this.#end(this.pool, importId, 'failed', 'IMPORT_QUEUE_UNAVAILABLE');
      await this.#destroyFile(importId);
      throw new AppError('IMPORT_QUEUE_UNAVAILABLE', 'unavailable', 'imports cannot be queued right now; try again later');
    }
    return { importId, status: 'queued', totalRows: rows.length, processedRows: 0, importedRows: 0, rejectedRows: rejected.length, rejected };
  }

  /** The report, for the user who started the import only (another user's import is "not found"). */
  async report(importId: string, actorId: string): Promise<ImportReport> {
    const row = /^[0-9a-f-]{36}$/i.test(importId) ? await this.#load(importId) : undefined;
    if (row === undefined || row.owner !== actorId) throw new AppError('IMPORT_NOT_FOUND', 'not_found', 'no import with this id');
    return toReport(row);
  }

  /**
   * Runs (or resumes) one import; the worker's entry point. A transient failure is thrown back to BullMQ while the job
   * has attempts left (`attempt.final` false): the import stays `running` and the job's next attempt resumes it.
   */
  async run(importId: string, attempt: ImportAttempt = { final: true }): Promise<ImportReport | undefined> {
    const row = await this.#load(importId);
    if (row === undefined) return undefined;
    if (row.status === 'completed' || row.status === 'failed') {
      // Ended, but the process may have died before the file's key was destroyed.
      await this.#destroyFile(importId);
      return toReport(row);
    }
    if (row.status === 'running') this.#logger.warn(`import ${importId} stopped after ${row.processed_rows} rows; resuming it`);
    await this.pool.query(`UPDATE ${this.#s}.contact_imports SET status = 'running', updated_at = $2 WHERE import_id = $1`, [importId, this.clock()]);
    try {
      const content = await this.cipher.openText(importId, CONTENT_FIELD, sealedFieldFromBytes(row.sealed_content!));
      const rows = this.#parse(row.format, content);
      const done = await this.#doneRows(importId);
      const batchSize = this.config.imports.batchSize;
      // From the first row: the ledger, not the progress counter, says which rows are done.
      for (let start = 0; start < rows.length; start += batchSize) {
        const batch = rows.slice(start, start + batchSize);
        const processed = start + batch.length;
        const valid = batch.flatMap((parsed) =>
          'contact' in parsed && !done.has(parsed.row) ? [{ row: parsed.row, contactId: uuidv7(), data: parsed.contact }] : [],
        );
        if (valid.length === 0) {
          await this.#progress(this.pool, importId, processed, 0);
        } else {
          await this.commands.createMany(valid, row.context, async (tx) => {
            await tx.query(`INSERT INTO ${this.#s}.contact_import_rows (import_id, row_number, contact_id) SELECT $1, unnest($2::int[]), unnest($3::uuid[])`, [
              importId,
              valid.map((entry) => entry.row),
              valid.map((entry) => entry.contactId),
            ]);
            await this.#progress(tx, importId, processed, valid.length);
          });
        }
        await this.fault?.(importId, processed);
        if (this.jobs.stopping && processed < rows.length) throw new ImportInterrupted();
      }
      await withTransaction(this.pool, async (tx) => {
        const { rows: counted } = await tx.query<{ imported: number }>(
          `SELECT count(*)::int AS imported FROM ${this.#s}.contact_import_rows WHERE import_id = $1`,
          [importId],
        );
        const summary = { importId, totalRows: row.total_rows, importedRows: counted[0]!.imported, rejectedRows: row.rejected.length };
        await this.store.append(importStream(importId), 'no_stream', [protoEvent(ContactsImportedSchema, summary)], eventMetadata(row.context), tx);
        await this.#end(tx, importId, 'completed', null);
      });
    } catch (error) {
      // The process is stopping: the import stays `running`, and the job's next run (here or elsewhere) resumes it.
      if (error instanceof ImportInterrupted) throw error;
      const failure = decideRunFailure(error, attempt);
      if (failure.kind === 'retry') {
        // Nothing of the failed batch is stored (its transaction rolled back); the next attempt starts at the ledger.
        this.#logger.warn(`import ${importId} stopped on a transient failure (${errorCode(error)}); BullMQ retries it`);
        throw error;
      }
      this.#logger.error(`import ${importId} failed (${failure.code})`);
      await this.#end(this.pool, importId, 'failed', failure.code);
    }
    await this.#destroyFile(importId);
    return toReport((await this.#load(importId))!);
  }

  async unfinished(): Promise<string[]> {
    const { rows } = await this.pool.query<{ import_id: string }>(
      `SELECT import_id FROM ${this.#s}.contact_imports WHERE status IN ('queued', 'running') ORDER BY import_id`,
    );
    return rows.map((row) => row.import_id);
  }

  async #load(importId: string): Promise<ImportRow | undefined> {
    const { rows } = await this.pool.query<ImportRow>(`SELECT * FROM ${this.#s}.contact_imports WHERE import_id = $1`, [importId]);
    return rows[0];
  }

  async #doneRows(importId: string): Promise<Set<number>> {
    const { rows } = await this.pool.query<{ row_number: number }>(`SELECT row_number FROM ${this.#s}.contact_import_rows WHERE import_id = $1`, [importId]);
    return new Set(rows.map((row) => row.row_number));
  }

  async #progress(db: Pool | PoolClient, importId: string, processed: number, imported: number): Promise<void> {
    await db.query(
      `UPDATE ${this.#s}.contact_imports SET processed_rows = greatest(processed_rows, $2), imported_rows = imported_rows + $3, updated_at = $4
       WHERE import_id = $1`,
      [importId, processed, imported, this.clock()],
    );
  }

  async #end(db: Pool | PoolClient, importId: string, status: 'completed' | 'failed', errorCode: string | null): Promise<void> {
    await db.query(`UPDATE ${this.#s}.contact_imports SET status = $2, error_code = $3, sealed_content = NULL, updated_at = $4 WHERE import_id = $1`, [
      importId,
      status,
      errorCode,
      this.clock(),
    ]);
  }

  /** Destroys the key the uploaded file was sealed under (idempotent): every copy of the upload is unreadable after. */
  async #destroyFile(importId: string): Promise<void> {
    try {
      await this.keys.shred(importId, 'ADMINISTRATIVE');
    } catch (error) {
      this.#logger.warn(`import ${importId}: destroying the file's key failed (${(error as Error).name}); the next run of the job tries again`);
      throw error;
    }
  }

  #parse(format: ImportFormat, content: string): ParsedRow[] {
    return format === 'csv' ? this.#parseCsv(content) : this.#parseJsonLines(content);
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

function toReport(row: ImportRow): ImportReport {
  return {
    importId: row.import_id,
    status: row.status,
    totalRows: row.total_rows,
    processedRows: row.processed_rows,
    importedRows: row.imported_rows,
    rejectedRows: row.rejected.length,
    rejected: row.rejected,
    ...(row.error_code === null ? {} : { errorCode: row.error_code }),
  };
}
