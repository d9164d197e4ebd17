import { Inject, Injectable } from '@nestjs/common';
import type { FieldCipher } from '@crm/crypto';
import { foldingRefold, type LoadedState, type StateChange, type StateRowsRefold, type WriteModel } from '@crm/eventstore';
import { FIELD_CIPHER } from '@crm/platform';
import type { PoolClient } from '@crm/postgres';
import { RequestStates } from './request-states.repository.js';
import { requestCodec } from './request.codec.js';
import { requestDecider, type RequestCommand, type RequestEvent, type RequestState } from './request.decider.js';
import { requestStream } from './request.streams.js';

/**
 * A data-subject request as the command pipeline runs it: one aggregate per request (stream
 * `subject-request-<id>`). The state is the request's `subject_request_states` row, locked `FOR UPDATE` and written
 * with every event, so it is exactly the fold of the stream (`request-desk.int.spec.ts` compares them).
 */
@Injectable()
export class RequestWriteModel implements WriteModel<RequestCommand, RequestState, RequestEvent> {
  readonly decider = requestDecider;
  readonly codec: ReturnType<typeof requestCodec>;

  constructor(
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    private readonly states: RequestStates,
  ) {
    this.codec = requestCodec(cipher);
  }

  /**
   * The contacts' keys, before the group's transaction: the free texts are sealed under them, and a request about an
   * erased contact (its key shredded) is refused here, before anything is decided or written.
   */
  prepare(commands: readonly RequestCommand[]): Promise<void> {
    const sealing = commands.filter((command) => !(command.type === 'CompleteRequest' && command.withoutKey === true));
    return this.cipher.prepareSubjects(sealing.map((command) => command.contactId));
  }

  streamOf(command: RequestCommand): string {
    return requestStream(command.requestId);
  }

  async load(tx: PoolClient, command: RequestCommand): Promise<LoadedState<RequestState>> {
    const row = await this.states.byIdForUpdate(tx, command.requestId);
    return row === undefined ? { state: requestDecider.initialState(), version: 0n } : { state: row.state, version: row.version };
  }

  async save(tx: PoolClient, change: StateChange<RequestCommand, RequestState, RequestEvent>): Promise<void> {
    if (change.events.length === 0 || change.state.status === 'none') return;
    await this.states.save(tx, change.version, change.state, change.at);
  }

  /** The `subject_request_states` row of a stream a restore replayed events into, refolded from them (docs/backup.md). */
  rowsRefold(): StateRowsRefold {
    const prefix = requestStream('');
    return foldingRefold({
      matches: (streamId) => streamId.startsWith(prefix),
      decider: requestDecider,
      codec: this.codec,
      save: async (tx, { version, state, at }) => {
        if (state.status !== 'none') await this.states.save(tx, version, state, at);
      },
    });
  }
}
