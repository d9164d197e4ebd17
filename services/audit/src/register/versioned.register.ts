import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ActorType, LegalBasis, type EventEnvelope } from '@crm/contracts';
import { quoteIdent, StreamVersionConflict, type CommandPipeline, type Decider, type NewEvent, type WriteModel } from '@crm/eventstore';
import { AppError } from '@crm/errors';
import { auditError } from '../audit.errors.js';
import { REGISTER_PURPOSE } from './register.events.js';

/** `draft`: proposed by the platform, awaiting a DPO's review; `approved`: declared or approved by a DPO. */
export type RecordStatus = 'draft' | 'approved';
/** What a version is (see `ProcessingActivityRecorded.change`). */
export type RecordChange = 'drafted' | 'declared' | 'revised' | 'approved';

export interface RegisterRecord<D> {
  id: string;
  version: number;
  status: RecordStatus;
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
  event: (recorded: VersionRecorded) => NewEvent;
  /** And back: the version an event recorded. */
  recorded: (envelope: EventEnvelope) => VersionRecorded;
}

/** Record a new version of one register record (its document as canonical JSON). */
export interface RecordVersion {
  id: string;
  json: string;
  actorId: string;
  change: RecordChange;
}
export interface VersionRecorded {
  id: string;
  version: number;
  json: string;
  status: RecordStatus;
  change: RecordChange;
}
export interface VersionState {
  version: number;
  /** Of the current version; undefined before the first. */
  status?: RecordStatus;
}

/**
 * Pure: the next version of a record. Versions only ever follow each other (the optimistic lock is the stream's). A
 * draft is only ever the platform's first version; a revision keeps the status it revises (a DPO's edit of a draft
 * is still a draft until approved); only a draft can be approved, and the approval is a version of its own.
 */
export function decideVersion(command: RecordVersion, state: VersionState): VersionRecorded[] {
  const version = state.version + 1;
  switch (command.change) {
    case 'drafted':
    case 'declared':
      if (state.version !== 0) throw auditError('AUDIT_REGISTER_VERSION_CONFLICT', 'the record exists already', { details: { id: command.id } });
      return [{ id: command.id, version, json: command.json, status: command.change === 'drafted' ? 'draft' : 'approved', change: command.change }];
    case 'revised':
      return [{ id: command.id, version, json: command.json, status: state.status ?? 'approved', change: 'revised' }];
    case 'approved':
      if (state.status !== 'draft')
        throw auditError('AUDIT_REGISTER_ALREADY_APPROVED', 'this activity is approved already', { details: { id: command.id, version: state.version } });
      return [{ id: command.id, version, json: command.json, status: 'approved', change: 'approved' }];
    default: {
      const _exhaustive: never = command.change;
      return _exhaustive;
    }
  }
}

const versionDecider: Decider<RecordVersion, VersionState, VersionRecorded> = {
  initialState: () => ({ version: 0 }),
  decide: decideVersion,
  evolve: (_state, event) => ({ version: event.version, status: event.status }),
};

export interface Change {
  actorId: string;
  correlationId: string;
  /** `service` for the platform's own drafts; a person otherwise. */
  actorType?: 'user' | 'service';
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
  readonly model: WriteModel<RecordVersion, VersionState, VersionRecorded>;

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
      codec: { encode: async (event) => kind.event(event), decode: async (envelope) => kind.recorded(envelope) },
      streamOf: (command) => `${kind.streamPrefix}-${command.id}`,
      load: async (tx, command) => {
        const { rows } = await tx.query<{ version: number; status: RecordStatus }>(
          `SELECT version, status FROM ${table} WHERE id = $1 ORDER BY version DESC LIMIT 1`,
          [command.id],
        );
        const state: VersionState = rows[0] === undefined ? { version: 0 } : { version: rows[0].version, status: rows[0].status };
        return { state, version: BigInt(state.version) };
      },
      save: async (tx, { command, events, eventIds, at }) => {
        for (const [index, event] of events.entries()) {
          await tx.query(
            `INSERT INTO ${table} (id, version, document, recorded_by, recorded_at, event_id, status) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)`,
            [event.id, event.version, event.json, command.actorId, at, eventIds[index], event.status],
          );
        }
      },
    };
  }

  create(document: D, change: Change): Promise<RegisterRecord<D>> {
    return this.write(randomUUID(), 0, document, change, 'declared');
  }

  /** The platform's draft under a fixed id: version 1 when the record does not exist yet, else nothing (undefined). */
  async draft(id: string, document: D, change: Change): Promise<RegisterRecord<D> | undefined> {
    if ((await this.exists([id])).size > 0) return undefined;
    try {
      return await this.write(id, 0, document, change, 'drafted');
    } catch (error) {
      // Another instance drafted it first (a concurrent start): what it drafted stands.
      if (error instanceof AppError && error.code === 'AUDIT_REGISTER_VERSION_CONFLICT') return undefined;
      throw error;
    }
  }

  async update(id: string, expectedVersion: number, document: D, change: Change): Promise<RegisterRecord<D>> {
    const current = await this.get(id);
    if (current.version !== expectedVersion) throw conflict(id, expectedVersion, current.version);
    return this.write(id, expectedVersion, document, change, 'revised');
  }

  /** A DPO approves the draft as it stands at `expectedVersion` (what they reviewed): a new, approved version. */
  async approve(id: string, expectedVersion: number, change: Change): Promise<RegisterRecord<D>> {
    const current = await this.get(id);
    if (current.version !== expectedVersion) throw conflict(id, expectedVersion, current.version);
    return this.write(id, expectedVersion, current.document, change, 'approved');
  }

  async current(): Promise<Array<RegisterRecord<D>>> {
    const { rows } = await this.pool.query<Row<D>>(
      `SELECT DISTINCT ON (id) id::text, version, status, document, recorded_by, recorded_at FROM ${this.#table} ORDER BY id, version DESC`,
    );
    return rows.map(toRecord).sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<RegisterRecord<D>> {
    const { rows } = await this.pool.query<Row<D>>(
      `SELECT id::text, version, status, document, recorded_by, recorded_at FROM ${this.#table} WHERE id = $1 ORDER BY version DESC LIMIT 1`,
      [id],
    );
    if (rows[0] === undefined) throw auditError('AUDIT_REGISTER_NOT_FOUND', 'no register record has that id');
    return toRecord(rows[0]);
  }

  async versions(id: string): Promise<Array<RegisterRecord<D>>> {
    const { rows } = await this.pool.query<Row<D>>(
      `SELECT id::text, version, status, document, recorded_by, recorded_at FROM ${this.#table} WHERE id = $1 ORDER BY version`,
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

  private async write(id: string, expectedVersion: number, document: D, change: Change, kind: RecordChange): Promise<RegisterRecord<D>> {
    const metadata = {
      actor: { id: change.actorId, type: change.actorType === 'service' ? ActorType.SERVICE : ActorType.USER },
      purpose: REGISTER_PURPOSE,
      legalBasis: LegalBasis.LEGAL_OBLIGATION,
      correlationId: change.correlationId,
    };
    try {
      const outcome = await this.pipeline.execute(this.model, { id, json: canonicalJson(document), actorId: change.actorId, change: kind }, metadata, {
        expectedVersion: BigInt(expectedVersion),
      });
      return {
        id,
        version: outcome.state.version,
        status: outcome.state.status ?? 'approved',
        document,
        recordedBy: change.actorId,
        recordedAt: outcome.at.toISOString(),
      };
    } catch (error) {
      if (error instanceof StreamVersionConflict) throw conflict(id, expectedVersion, undefined);
      throw error;
    }
  }
}

interface Row<D> {
  id: string;
  version: number;
  status: RecordStatus;
  document: D;
  recorded_by: string;
  recorded_at: Date;
}

function toRecord<D>(row: Row<D>): RegisterRecord<D> {
  return {
    id: row.id,
    version: row.version,
    status: row.status,
    document: row.document,
    recordedBy: row.recorded_by,
    recordedAt: row.recorded_at.toISOString(),
  };
}

function conflict(id: string, expected: number, current: number | undefined) {
  return auditError('AUDIT_REGISTER_VERSION_CONFLICT', 'the record changed since the version you edited; reload and apply your change again', {
    details: { id, expectedVersion: expected, ...(current === undefined ? {} : { currentVersion: current }) },
  });
}
