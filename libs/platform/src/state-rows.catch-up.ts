import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { catchUpReplayedStreams, type EventStore, type StateRowsRefold } from '@crm/eventstore';
import { PG_POOL, type Pool } from '@crm/postgres';
import { EVENT_STORE } from './backbone.module.js';

/** The service's refolds of its state rows (`StateRowsRefold[]`), one per write model that keeps rows beside its events. */
export const STATE_ROWS_REFOLDS = Symbol('STATE_ROWS_REFOLDS');

/**
 * At start, before the service takes a command: the streams a restore replayed events into get their state rows
 * refolded from those events (docs/backup.md). A service whose write models keep state rows provides this with
 * `STATE_ROWS_REFOLDS`; without the refold, a command on such a stream would meet a version conflict forever.
 */
@Injectable()
export class StateRowsCatchUp implements OnApplicationBootstrap {
  readonly #logger = new Logger('StateRowsCatchUp');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(STATE_ROWS_REFOLDS) private readonly refolds: readonly StateRowsRefold[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const outcome = await catchUpReplayedStreams(this.pool, this.store, this.refolds);
    if (outcome.refolded + outcome.withoutRows > 0) {
      this.#logger.log(`replayed streams caught up: ${outcome.refolded} refolded from their events, ${outcome.withoutRows} without state rows`);
    }
    for (const { streamId, error } of outcome.failed) {
      // The stream's id names no person by itself; the error's text could quote data, so only its code or name goes.
      const code = (error as { code?: unknown }).code;
      this.#logger.error(
        `STATE_ROWS_REFOLD_FAILED: the rows of replayed stream ${streamId} were not refolded (${typeof code === 'string' ? code : error instanceof Error ? error.name : 'error'}); its mark stays for the next start`,
      );
    }
  }
}
