import type { Pool, PoolClient } from 'pg';
import { dateFromTimestamp } from '@crm/contracts';
import { isCryptoError } from '@crm/crypto';
import { withTransaction } from '@crm/postgres';
import { fold, type Decider } from '../decider/decider.js';
import type { EventCodec } from '../pipeline/write-model.js';
import type { EventStore } from './event-store.js';
import { quoteIdent } from './event-store.schema.js';
import type { RecordedEvent } from './event.types.js';

/**
 * How a service brings one stream's state rows level with its events: `refold` gets the whole stream, in order, inside
 * the transaction that then forgets the stream's mark, and writes the rows as the command pipeline would have.
 */
export interface StateRowsRefold {
  /** The streams it knows (by id: `contact-…`, `consent-…`). */
  matches(streamId: string): boolean;
  /** `replayedFrom`: the first version the restore replayed (the rows are the fold of the versions before it). */
  refold(tx: PoolClient, streamId: string, events: readonly RecordedEvent[], replayedFrom: bigint): Promise<void>;
}

export interface CatchUpOutcome {
  /** Streams whose state rows were refolded from their events. */
  refolded: number;
  /** Marked streams no refold knows: nothing keeps rows for them (their models fold the stream on load). */
  withoutRows: number;
  /** Streams whose refold failed: their marks stay, for the next start (each is logged by the caller). */
  failed: Array<{ streamId: string; error: unknown }>;
}

/**
 * The state rows of the streams a restore replayed events into (`replayed_streams`, written by the restore with the
 * events), refolded from the event store, one stream per transaction; each mark is forgotten with its refold, so a
 * crash midway leaves the rest for the next start. Two instances never refold one stream twice at once (SKIP LOCKED).
 * Until it ran, a command on such a stream meets a version conflict, and a read shows the state of the snapshot.
 */
export async function catchUpReplayedStreams(pool: Pool, store: EventStore, refolds: readonly StateRowsRefold[]): Promise<CatchUpOutcome> {
  const s = quoteIdent(store.schema);
  const outcome: CatchUpOutcome = { refolded: 0, withoutRows: 0, failed: [] };
  for (let after = ''; ;) {
    let streamId: string | undefined;
    try {
      await withTransaction(pool, async (tx) => {
        const { rows } = await tx.query<{ stream_id: string; from_version: string | null }>(
          `SELECT stream_id, from_version::text FROM ${s}.replayed_streams WHERE stream_id > $1 ORDER BY stream_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [after],
        );
        streamId = rows[0]?.stream_id;
        if (streamId === undefined) return;
        const refold = refolds.find((candidate) => candidate.matches(streamId!));
        if (refold === undefined) outcome.withoutRows++;
        else {
          await refold.refold(tx, streamId, await store.readStream(streamId, 1n, tx), BigInt(rows[0]!.from_version ?? 1));
          outcome.refolded++;
        }
        await tx.query(`DELETE FROM ${s}.replayed_streams WHERE stream_id = $1`, [streamId]);
      });
    } catch (error) {
      // One stream that cannot be refolded (a bug, a key the vault lost) must not keep the service from starting.
      if (streamId === undefined) throw error;
      outcome.failed.push({ streamId, error });
    }
    if (streamId === undefined) return outcome;
    after = streamId;
  }
}

/**
 * The usual refold of a write model that keeps one state row per stream: decode every event with the model's codec,
 * fold them with its decider, and hand the state and the stream's version to `save` (the model's own row writer).
 * A stream whose subject's key was shredded cannot be decoded: its rows stay as they are (no command is taken on an
 * erased subject any more, and nothing of it may be read back).
 */
export function foldingRefold<State, Event>(options: {
  matches: (streamId: string) => boolean;
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>;
  codec: Pick<EventCodec<Event>, 'decode'>;
  save: (tx: PoolClient, row: { streamId: string; version: bigint; state: State; events: readonly Event[]; at: Date }) => Promise<void>;
}): StateRowsRefold {
  return {
    matches: options.matches,
    async refold(tx, streamId, recorded) {
      const last = recorded.at(-1);
      if (last === undefined) return;
      const events: Event[] = [];
      try {
        for (const event of recorded) events.push(await options.codec.decode(event.envelope));
      } catch (error) {
        if (isCryptoError(error, 'KEY_SHREDDED')) return;
        throw error;
      }
      // The store stamps every envelope it appends: the row is as old as the stream's newest event, never "now".
      const at = last.envelope.occurredAt === undefined ? new Date(0) : dateFromTimestamp(last.envelope.occurredAt);
      await options.save(tx, { streamId, version: last.streamVersion, state: fold(options.decider, events), events, at });
    },
  };
}
