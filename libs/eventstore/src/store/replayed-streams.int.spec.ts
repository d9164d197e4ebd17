import type pg from 'pg';
import { scratchSchema } from '@crm/testing';
import { catchUpReplayedStreams, EventStore, eventStoreMigrations, type StateRowsRefold } from '../index.js';
import { sampleMetadata } from '../testing-fixtures.js';

let pool: pg.Pool;
let schema: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ pool, schema, drop } = await scratchSchema('replayed', eventStoreMigrations));
});
afterAll(() => drop());

const event = (n: number) => ({ type: 'crm.testing.v1.SampleRecorded', payloadType: 'crm.testing.v1.SampleRecorded', payload: Buffer.from(`e${n}`) });

describe('catching up the streams a restore replayed events into', () => {
  it('refolds each marked stream it knows with the whole stream and where the replay began, forgets streams without rows, and keeps the mark of one that fails', async () => {
    const store = new EventStore(pool, { schema, topic: 'unused' });
    for (const stream of ['a-1', 'b-1', 'c-1']) await store.append(stream, 'no_stream', [event(1), event(2), event(3)], sampleMetadata());
    await pool.query(`INSERT INTO "${schema}".replayed_streams (stream_id, version, from_version) VALUES ('a-1', 3, 2), ('b-1', 3, 3), ('c-1', 3, NULL)`);
    const seen: Array<{ streamId: string; versions: bigint[]; from: bigint }> = [];
    const refolds: StateRowsRefold[] = [
      {
        matches: (streamId) => streamId.startsWith('a-') || streamId.startsWith('b-'),
        refold: async (_tx, streamId, events, from) => {
          if (streamId === 'a-1') throw Object.assign(new Error('cannot'), { code: 'BROKEN' });
          seen.push({ streamId, versions: events.map((recorded) => recorded.streamVersion), from });
        },
      },
    ];

    const outcome = await catchUpReplayedStreams(pool, store, refolds);

    expect(seen).toEqual([{ streamId: 'b-1', versions: [1n, 2n, 3n], from: 3n }]);
    expect(outcome).toMatchObject({ refolded: 1, withoutRows: 1, failed: [{ streamId: 'a-1', error: expect.objectContaining({ code: 'BROKEN' }) }] });
    expect((await pool.query(`SELECT stream_id FROM "${schema}".replayed_streams`)).rows).toEqual([{ stream_id: 'a-1' }]);
  });
});
