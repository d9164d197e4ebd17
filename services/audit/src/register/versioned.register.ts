import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ActorType, LegalBasis } from '@crm/contracts';
import { quoteIdent, StreamVersionConflict, type EventStore, type NewEvent } from '@crm/eventstore';
import { withTransaction } from '@crm/postgres';
import { auditError } from '../audit.errors.js';
import { REGISTER_PURPOSE } from './register.events.js';

export interface RegisterRecord<D> {
  id: string;
  version: number;
  document: D;
  recordedBy: string;
  recordedAt: string;
}

export interface RegisterKind {
  /** `activity_versions` or `processor_versions`. */
  table: string;
  /** Event-store stream of one record: `<prefix>-<id>`. */
  streamPrefix: string;
  /** The event recording one version. */
  event: (id: string, version: number, canonicalJson: string) => NewEvent;
}

export interface Change {
  actorId: string;
  correlationId: string;
}

/** JSON with keys sorted at every level: the same document always has the same text (and event bytes). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b))) : item,
  );
}

/**
 * A register whose every change is a new version kept forever. A change is one transaction: the event (whose
 * stream version check is the optimistic lock) and the version row, so the register and its history on Kafka
 * never disagree.
 */
export class VersionedRegister<D> {
  readonly #table: string;

  constructor(
    private readonly pool: Pool,
    private readonly events: EventStore,
    schema: string,
    private readonly kind: RegisterKind,
  ) {
    this.#table = `${quoteIdent(schema)}.${quoteIdent(kind.table)}`;
  }

  create(document: D, change: Change): Promise<RegisterRecord<D>> {
    return this.write(randomUUID(), 0, document, change);
  }

  async update(id: string, expectedVersion: number, document: D, change: Change): Promise<RegisterRecord<D>> {
    const current = await this.get(id);
    if (current.version !== expectedVersion) throw conflict(id, expectedVersion, current.version);
    return this.write(id, expectedVersion, document, change);
  }

  async current(): Promise<Array<RegisterRecord<D>>> {
    const { rows } = await this.pool.query<Row<D>>(
      `SELECT DISTINCT ON (id) id::text, version, document, recorded_by, recorded_at FROM ${this.#table} ORDER BY id, version DESC`,
    );
    return rows.map(toRecord).sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<RegisterRecord<D>> {
    const { rows } = await this.pool.query<Row<D>>(
      `SELECT id::text, version, document, recorded_by, recorded_at FROM ${this.#table} WHERE id = $1 ORDER BY version DESC LIMIT 1`,
      [id],
    );
    if (rows[0] === undefined) throw auditError('AUDIT_REGISTER_NOT_FOUND', 'no register record has that id');
    return toRecord(rows[0]);
  }

  async versions(id: string): Promise<Array<RegisterRecord<D>>> {
    const { rows } = await this.pool.query<Row<D>>(`SELECT id::text, version, document, recorded_by, recorded_at FROM ${this.#table} WHERE id = $1 ORDER BY version`, [id]);
    if (rows.length === 0) throw auditError('AUDIT_REGISTER_NOT_FOUND', 'no register record has that id');
    return rows.map(toRecord);
  }

  async exists(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.pool.query<{ id: string }>(`SELECT DISTINCT id::text FROM ${this.#table} WHERE id = ANY($1::uuid[])`, [ids]);
    return new Set(rows.map((row) => row.id));
  }

  private async write(id: string, expectedVersion: number, document: D, change: Change): Promise<RegisterRecord<D>> {
    const version = expectedVersion + 1;
    const json = canonicalJson(document);
    const recordedAt = new Date();
    try {
      await withTransaction(this.pool, async (tx) => {
        const { eventIds } = await this.events.append(
          `${this.kind.streamPrefix}-${id}`,
          expectedVersion === 0 ? 'no_stream' : BigInt(expectedVersion),
          [this.kind.event(id, version, json)],
          { actor: { id: change.actorId, type: ActorType.USER }, purpose: REGISTER_PURPOSE, legalBasis: LegalBasis.LEGAL_OBLIGATION, correlationId: change.correlationId },
          tx,
        );
        await tx.query(`INSERT INTO ${this.#table} (id, version, document, recorded_by, recorded_at, event_id) VALUES ($1, $2, $3::jsonb, $4, $5, $6)`, [
          id,
          version,
          json,
          change.actorId,
          recordedAt,
          eventIds[0],
        ]);
      });
    } catch (error) {
      if (error instanceof StreamVersionConflict) throw conflict(id, expectedVersion, undefined);
      throw error;
    }
    return { id, version, document, recordedBy: change.actorId, recordedAt: recordedAt.toISOString() };
  }
}

interface Row<D> {
  id: string;
  version: number;
  document: D;
  recorded_by: string;
  recorded_at: Date;
}

function toRecord<D>(row: Row<D>): RegisterRecord<D> {
  return { id: row.id, version: row.version, document: row.document, recordedBy: row.recorded_by, recordedAt: row.recorded_at.toISOString() };
}

function conflict(id: string, expected: number, current: number | undefined) {
  return auditError('AUDIT_REGISTER_VERSION_CONFLICT', 'the record changed since the version you edited; reload and apply your change again', {
    details: { id, expectedVersion: expected, ...(current === undefined ? {} : { currentVersion: current }) },
  });
}
