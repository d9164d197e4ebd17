import { appendOnlyTriggersSql, refuseMutationFunctionSql, type SchemaMigration } from '@crm/postgres';
/**
 * The event store's migrations, run by `@crm/migrations` (docs/migrations.md). Applied migrations are never edited:
 * change the schema by appending a new one. The baseline is the DDL services used to run at boot, kept idempotent
 * (IF NOT EXISTS / OR REPLACE) so a database created by that boot-time DDL takes it without change.
 */
export const eventStoreMigrations: readonly SchemaMigration[] = [
  { name: 'EventStoreBaseline1795996800000', up: (schema) => eventStoreBaselineSql(schema) },
  {
    name: 'EventStoreAppendStreams1796083200000',
    up: (schema) => appendStreamsSql(schema),
    down: (schema) => `DROP FUNCTION ${quoteIdent(schema)}.append_streams`,
  },
  // Every append goes through append_streams now (one stream is a group of one).
  { name: 'EventStoreDropAppendEvents1796083200001', up: (schema) => `DROP FUNCTION IF EXISTS ${quoteIdent(schema)}.append_events` },
  // Streams a restore replayed events into past the snapshot: their state rows are older than their events until the
  // service refolds them (`catchUpReplayedStreams`, run at the service's start).
  {
    name: 'EventStoreReplayedStreams1796800000000',
    up: (schema) => `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.replayed_streams (
  stream_id   text        PRIMARY KEY,
  version     bigint      NOT NULL,
  replayed_at timestamptz NOT NULL DEFAULT now()
)`,
    down: (schema) => `DROP TABLE ${quoteIdent(schema)}.replayed_streams`,
  },
  // The first version the restore replayed: a model that cannot refold a whole stream (identity's secrets are in no
  // event) applies what came after its rows. NULL (a mark without it): the whole stream.
  {
    name: 'EventStoreReplayedStreamsFrom1796800000001',
    up: (schema) => `ALTER TABLE ${quoteIdent(schema)}.replayed_streams ADD COLUMN IF NOT EXISTS from_version bigint`,
    down: (schema) => `ALTER TABLE ${quoteIdent(schema)}.replayed_streams DROP COLUMN from_version`,
  },
];

/**
 * Baseline: the write side of one service: an append-only `events` table and the transactional `outbox` beside it.
 *
 * - `(stream_id, stream_version)` is unique: optimistic concurrency is enforced by the database, not by a read.
 * - UPDATE, DELETE and TRUNCATE on `events` raise: history is immutable even for a buggy or compromised service
 *   holding the table owner's role (a superuser could still drop the trigger; the audit log's Merkle tree catches that).
 * - `tx_id` (the writing transaction's id) lets `readAll` never skip an event that commits late with a lower position:
 *   readers only see transactions older than the oldest one still in flight.
 */
function eventStoreBaselineSql(schema: string): string {
  const s = quoteIdent(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tx_id           xid8        NOT NULL DEFAULT pg_current_xact_id(),
  event_id        uuid        NOT NULL UNIQUE,
  stream_id       text        NOT NULL,
  stream_version  bigint      NOT NULL CHECK (stream_version > 0),
  event_type      text        NOT NULL,
  subject_id      text,
  occurred_at     timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  envelope        bytea       NOT NULL,
  UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS events_tx_position ON ${s}.events (tx_id, global_position);
CREATE INDEX IF NOT EXISTS events_subject ON ${s}.events (subject_id) WHERE subject_id IS NOT NULL;

${refuseMutationFunctionSql(s, 'refuse_event_mutation', 'events are immutable', 'append a new event instead')}${appendOnlyTriggersSql(s, 'events', 'refuse_event_mutation')}
CREATE TABLE IF NOT EXISTS ${s}.outbox (
  position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id     uuid        NOT NULL,
  event_type   text        NOT NULL,
  topic        text        NOT NULL,
  message_key  text        NOT NULL,
  envelope     bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- One round trip per append: check the version, insert events and outbox rows, wake the relay. The caller computed
-- the envelopes (they carry their stream versions) from the version it expects; a mismatch raises CR409.
-- (Superseded by append_streams and dropped by the third migration.)
CREATE OR REPLACE FUNCTION ${s}.append_events(
  p_stream_id text, p_expected bigint, p_event_ids uuid[], p_event_types text[], p_subject_ids text[],
  p_occurred_at timestamptz, p_envelopes bytea[], p_topic text, p_keys text[], p_channel text
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_current bigint;
BEGIN
  SELECT coalesce(max(stream_version), 0) INTO v_current FROM ${s}.events WHERE stream_id = p_stream_id;
  IF v_current <> p_expected THEN
    RAISE EXCEPTION 'stream version conflict' USING ERRCODE = '${VERSION_CONFLICT_SQLSTATE}', DETAIL = v_current::text;
  END IF;
  INSERT INTO ${s}.events (event_id, stream_id, stream_version, event_type, subject_id, occurred_at, envelope)
  SELECT e.id, p_stream_id, p_expected + e.ord, e.t, e.subj, p_occurred_at, e.env
  FROM unnest(p_event_ids, p_event_types, p_subject_ids, p_envelopes) WITH ORDINALITY AS e(id, t, subj, env, ord);
  INSERT INTO ${s}.outbox (event_id, event_type, topic, message_key, envelope)
  SELECT e.id, e.t, p_topic, e.k, e.env FROM unnest(p_event_ids, p_event_types, p_keys, p_envelopes) AS e(id, t, k, env);
  -- Delivered at commit only, so the relay wakes for committed rows and never for rolled-back ones.
  PERFORM pg_notify(p_channel, '');
  RETURN p_expected + coalesce(array_length(p_event_ids, 1), 0);
END $$;
`;
}

/**
 * `append_streams`: a whole commit group's appends, many streams, in one round trip (the command pipeline's group
 * commit). Every stream's version is checked first; the first stream not at its expected version raises CR409 with
 * the stream's 1-based position in `p_stream_ids` as DETAIL, and nothing is written. The events arrive flattened,
 * each with its stream and version (computed by the caller from the expected versions); the unique
 * `(stream_id, stream_version)` still catches a writer that appended between the check and the insert.
 */
function appendStreamsSql(schema: string): string {
  const s = quoteIdent(schema);
  return `
CREATE OR REPLACE FUNCTION ${s}.append_streams(
  p_stream_ids text[], p_expected bigint[],
  p_event_streams text[], p_event_versions bigint[], p_event_ids uuid[], p_event_types text[], p_subject_ids text[],
  p_occurred_at timestamptz, p_envelopes bytea[], p_topic text, p_keys text[], p_channel text
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_conflict bigint;
BEGIN
  SELECT s.ord INTO v_conflict
  FROM unnest(p_stream_ids, p_expected) WITH ORDINALITY AS s(id, expected, ord)
  WHERE coalesce((SELECT max(e.stream_version) FROM ${s}.events e WHERE e.stream_id = s.id), 0) <> s.expected
  ORDER BY s.ord LIMIT 1;
  IF v_conflict IS NOT NULL THEN
    RAISE EXCEPTION 'stream version conflict' USING ERRCODE = '${VERSION_CONFLICT_SQLSTATE}', DETAIL = v_conflict::text;
  END IF;
  INSERT INTO ${s}.events (event_id, stream_id, stream_version, event_type, subject_id, occurred_at, envelope)
  SELECT e.id, e.stream, e.version, e.t, e.subj, p_occurred_at, e.env
  FROM unnest(p_event_ids, p_event_streams, p_event_versions, p_event_types, p_subject_ids, p_envelopes) AS e(id, stream, version, t, subj, env);
  INSERT INTO ${s}.outbox (event_id, event_type, topic, message_key, envelope)
  SELECT e.id, e.t, p_topic, e.k, e.env FROM unnest(p_event_ids, p_event_types, p_keys, p_envelopes) AS e(id, t, k, env);
  PERFORM pg_notify(p_channel, '');
  RETURN coalesce(array_length(p_event_ids, 1), 0);
END $$;
`;
}

/** Raised by append_streams (and the baseline's append_events) when a stream is not at the expected version. */
export const VERSION_CONFLICT_SQLSTATE = 'CR409';

export function quoteIdent(identifier: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(identifier)) throw new Error(`not a safe SQL identifier: ${identifier}`);
  return `"${identifier}"`;
}

export function outboxChannel(schema: string): string {
  return `outbox_${schema}`;
}
