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
  refold(tx: PoolClient, streamId: string, events: readonly RecordedEvent[]): Promise<void>;
}

export interface CatchUpOutcome {
  /** Streams whose state rows were refolded from their events. */
  refolded: number;
  /** Marked streams no refold knows: nothing keeps rows for them (their models fold the stream on load). */
  withoutRows: number;
}

/**
 * The state rows of the streams a restore replayed events into (`replayed_streams`, written by the restore with the
 * events), refolded from the event store, one stream per transaction; each mark is forgotten with its refold, so a
 * crash midway leaves the rest for the next start. Two instances never refold one stream twice at once (SKIP LOCKED).
 * Until it ran, a command on such a stream meets a version conflict, and a read shows the state of the snapshot.
 */
export async function catchUpReplayedStreams(pool: Pool, store: EventStore, refolds: readonly StateRowsRefold[]): Promise<CatchUpOutcome> {
  const s = quoteIdent(store.schema);
  const outcome: CatchUpOutcome = { refolded: 0, withoutRows: 0 };
  for (;;) {
    const done = await withTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ stream_id: string }>(`SELECT stream_id FROM ${s}.replayed_streams ORDER BY stream_id LIMIT 1 FOR UPDATE SKIP LOCKED`);
      const streamId = rows[0]?.stream_id;
      if (streamId === undefined) return true;
      const refold = refolds.find((candidate) => candidate.matches(streamId));
      if (refold === undefined) outcome.withoutRows++;
      else {
        await refold.refold(tx, streamId, await store.readStream(streamId, 1n, tx));
        outcome.refolded++;
      }
      await tx.query(`DELETE FROM ${s}.replayed_streams WHERE stream_id = $1`, [streamId]);
      return false;
    });
    if (done) return outcome;
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
