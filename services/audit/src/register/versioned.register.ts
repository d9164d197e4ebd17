import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ActorType, LegalBasis, type EventEnvelope } from '@crm/contracts';
import { quoteIdent, StreamVersionConflict, type CommandPipeline, type Decider, type NewEvent, type WriteModel } from '@crm/eventstore';
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
  /** And back: the version an event recorded. */
  recorded: (envelope: EventEnvelope) => VersionRecorded;
}

/** Record a new version of one register record (its document as canonical JSON). */
export interface RecordVersion {
  id: string;
  json: string;
  actorId: string;
}
export interface VersionRecorded {
  id: string;
  version: number;
  json: string;
}

/** Versions only ever follow each other: the decision is the next number, its optimistic lock the stream's. */
const versionDecider: Decider<RecordVersion, { version: number }, VersionRecorded> = {
  initialState: () => ({ version: 0 }),
  decide: (command, state) => [{ id: command.id, version: state.version + 1, json: command.json }],
  evolve: (_state, event) => ({ version: event.version }),
};

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
  /** The register record as the command pipeline runs it: its version rows are its state (one event per version). */
  readonly model: WriteModel<RecordVersion, { version: number }, VersionRecorded>;

  constructor(
    private readonly pool: Pool,
    private readonly pipeline: CommandPipeline,
    schema: string,
    kind: RegisterKind,
  ) {
    const table = `${quoteIdent(schema)}.${quoteIdent(kind.table)}`;
    this.#table = table;
    this.model = {
      decider: versionDecider,
      codec: { encode: async (event) => kind.event(event.id, event.version, event.json), decode: async (envelope) => kind.recorded(envelope) },
      streamOf: (command) => `${kind.streamPrefix}-${command.id}`,
      load: async (tx, command) => {
        const { rows } = await tx.query<{ version: number }>(`SELECT coalesce(max(version), 0)::int AS version FROM ${table} WHERE id = $1`, [command.id]);
        const version = rows[0]?.version ?? 0;
        return { state: { version }, version: BigInt(version) };
      },
      save: async (tx, { command, events, eventIds, at }) => {
        for (const [index, event] of events.entries()) {
          await tx.query(`INSERT INTO ${table} (id, version, document, recorded_by, recorded_at, event_id) VALUES ($1, $2, $3::jsonb, $4, $5, $6)`, [
            event.id,
            event.version,
            event.json,
            command.actorId,
            at,
            eventIds[index],
          ]);
        }
      },
    };
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
    const { rows } = await this.pool.query<Row<D>>(
      `SELECT id::text, version, document, recorded_by, recorded_at FROM ${this.#table} WHERE id = $1 ORDER BY version`,
      [id],
    );
    if (rows.length === 0) throw auditError('AUDIT_REGISTER_NOT_FOUND', 'no register record has that id');
    return rows.map(toRecord);
  }

  async exists(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.pool.query<{ id: string }>(`SELECT DISTINCT id::text FROM ${this.#table} WHERE id = ANY($1::uuid[])`, [ids]);
    return new Set(rows.map((row) => row.id));
  }

  private async write(id: string, expectedVersion: number, document: D, change: Change): Promise<RegisterRecord<D>> {
    const metadata = {
      actor: { id: change.actorId, type: ActorType.USER },
      purpose: REGISTER_PURPOSE,
      legalBasis: LegalBasis.LEGAL_OBLIGATION,
      correlationId: change.correlationId,
    };
    try {
      const outcome = await this.pipeline.execute(this.model, { id, json: canonicalJson(document), actorId: change.actorId }, metadata, {
        expectedVersion: BigInt(expectedVersion),
      });
      return { id, version: outcome.state.version, document, recordedBy: change.actorId, recordedAt: outcome.at.toISOString() };
    } catch (error) {
      if (error instanceof StreamVersionConflict) throw conflict(id, expectedVersion, undefined);
      throw error;
    }
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
