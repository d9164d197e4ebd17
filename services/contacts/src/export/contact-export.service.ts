import { Inject, Injectable } from '@nestjs/common';
import { ContactsExportedSchema, ExportFormat } from '@crm/contracts';
import { protoEvent, uuidv7, type EventStore } from '@crm/eventstore';
import { AppError, writeCsv } from '@crm/http';
import { CLOCK, EVENT_STORE, type Clock } from '@crm/platform';
import { REDIS, type Redis } from '@crm/redis';
import { CONTACT_CSV_COLUMNS, catalogPathOfColumn, contactToCsvCells } from '../contact-csv/contact-csv.mapping.js';
import { fieldsForPurpose, type Purpose } from '../contact-schema/index.js';
import { ContactViews } from '../contact-views/contact-views.service.js';
import { CONTACTS_CONFIG, type ContactsConfig } from '../contacts.config.js';
import { exportStream } from '../contacts/contact.streams.js';
import { basisRequirement } from '../lawful-basis/basis.decision.js';
import { LawfulBasis } from '../lawful-basis/lawful-basis.service.js';
import { eventMetadata, type ProcessingContext } from '../processing/processing-context.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';

export type ExportFileFormat = 'json' | 'csv';

export interface ExportRequest {
  purpose: Purpose;
  format: ExportFileFormat;
  /** The selection; without it, every exportable contact (up to the configured maximum). */
  contactIds?: readonly string[] | undefined;
}

export interface ExportFile {
  exportId: string;
  rowCount: number;
  contentType: string;
  body: string;
}

const WINDOW_SECONDS = 3_600;

/**
 * Bulk export: the operation a breach looks like, so it is narrow on every side. Only `contacts:export` with a fresh
 * second factor reaches it (the controller), a per-user budget on Redis bounds it, restricted and erased contacts
 * are never part of it, the content is minimised to the stated purpose, and each export is an event (row count,
 * purpose, fields) plus one access record per contact it holds.
 */
@Injectable()
export class ContactExport {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly views: ContactViews,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONTACTS_CONFIG) private readonly config: ContactsConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly basis: LawfulBasis,
  ) {}

  async export(request: ExportRequest, context: ProcessingContext): Promise<ExportFile> {
    await this.#spendBudget(context.actorId);
    const limit = this.config.maxExportRows;
    // Contacts whose lawful basis for the purpose is missing are never part of an export; the ones selected by id are
    // recorded as refused.
    const basisContext = { ...context, purpose: request.purpose };
    const rows = await this.contacts.exportable(request.contactIds, limit + 1, {
      requirement: basisRequirement(request.purpose, context.legalBasis),
      purpose: request.purpose,
    });
    if (request.contactIds !== undefined) await this.basis.refuseAmong(request.contactIds, basisContext, 'export');
    if (rows.length > limit) {
      throw new AppError('EXPORT_TOO_LARGE', 'invalid', 'the selection holds more contacts than one export may; select by id', { details: { maxRows: limit } });
    }
    const { items: views, fields } = await this.views.renderMany(rows, request.purpose, 'export', context);
    const exportId = uuidv7();
    const format = request.format === 'csv' ? ExportFormat.CSV : ExportFormat.JSON;
    const event = protoEvent(ContactsExportedSchema, { exportId, rowCount: views.length, format, fields });
    await this.store.append(exportStream(exportId), 'no_stream', [event], eventMetadata(context));
    if (request.format === 'csv') {
      const columns = CONTACT_CSV_COLUMNS.filter((column) => fieldsForPurpose(request.purpose).some((spec) => spec.path === catalogPathOfColumn(column)));
      const body = writeCsv(
        ['id', ...columns],
        views.map((view) => [view.id, ...contactToCsvCells(view.data, columns)]),
      );
      return { exportId, rowCount: views.length, contentType: 'text/csv; charset=utf-8', body };
    }
    const document = {
      exportId,
      exportedAt: this.clock().toISOString(),
      purpose: request.purpose,
      rowCount: views.length,
      contacts: views.map((view) => ({ id: view.id, ...view.data })),
    };
    return { exportId, rowCount: views.length, contentType: 'application/json; charset=utf-8', body: JSON.stringify(document) };
  }

  async #spendBudget(actorId: string): Promise<void> {
    const key = `contacts:export-budget:${actorId}`;
    const [[, used], [, ttl]] = (await this.redis.multi().incr(key).ttl(key).exec()) as [[null, number], [null, number]];
    if (ttl < 0) await this.redis.expire(key, WINDOW_SECONDS);
    if (used > this.config.exportsPerHour) {
      throw new AppError('EXPORT_RATE_LIMITED', 'rate_limited', 'too many exports in the last hour', {
        retriable: true,
        details: { limit: this.config.exportsPerHour, retryAfterSeconds: ttl > 0 ? ttl : WINDOW_SECONDS },
      });
    }
  }
}
