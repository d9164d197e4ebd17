import { Inject, Injectable } from '@nestjs/common';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import type { EventStore } from '@crm/eventstore';
import { CLOCK, EVENT_STORE, type Clock } from '@crm/platform';
import { PG_POOL, withTransaction, type Pool } from '@crm/postgres';
import { RequestStates, type RequestListFilter } from '../request-states.repository.js';
import { requestError } from '../request.errors.js';
import { requestView, type RequestView } from '../request.http.js';
import { isRequestId, requestStream } from '../request.streams.js';
import { RequestWriteModel } from '../request.write-model.js';

/** A request with every change, oldest first, the texts opened (the DPO's working file), as the API contract states it. */
export type RequestDetailView = ResponseOf<typeof consentApi.viewRequest>;

/** One entry of a request's history: an event of its stream with its version; sealed texts are null once erased. */
export type RequestHistoryEntry = RequestDetailView['history'][number];

export interface RequestListView {
  status: RequestListFilter;
  /** The service's clock the filter was applied at. */
  asOf: string;
  requests: RequestView[];
}

const LIST_LIMIT = 500;

/** The desk's reads: lists by deadline (from the state rows) and one request with its history (one snapshot). */
@Injectable()
export class ViewRequestsHandler {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly states: RequestStates,
    private readonly model: RequestWriteModel,
  ) {}

  async list(status: RequestListFilter): Promise<RequestListView> {
    const now = this.clock();
    const rows = await this.states.list(status, now, LIST_LIMIT);
    return { status, asOf: now.toISOString(), requests: rows.map((row) => requestView(row.state, Number(row.version), now)) };
  }

  async one(requestId: string): Promise<RequestDetailView> {
    if (!isRequestId(requestId)) throw requestError('REQUEST_NOT_FOUND', 'no such request');
    const { row, recorded } = await withTransaction(
      this.pool,
      async (client) => {
        const state = await this.states.byId(requestId, client);
        return { row: state, recorded: state === undefined ? [] : await this.store.readStream(requestStream(requestId), 1n, client) };
      },
      'REPEATABLE READ READ ONLY',
    );
    if (row === undefined) throw requestError('REQUEST_NOT_FOUND', 'no such request');
    const history = await Promise.all(
      recorded.map(async (event): Promise<RequestHistoryEntry> => {
        const { requestId: _request, contactId: _contact, ...entry } = await this.model.codec.decodeHistory(event.envelope);
        return { version: Number(event.streamVersion), ...entry };
      }),
    );
    return { ...requestView(row.state, Number(row.version), this.clock()), history };
  }
}
