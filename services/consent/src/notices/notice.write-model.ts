import { Injectable } from '@nestjs/common';
import { foldingRefold, type LoadedState, type StateChange, type StateRowsRefold, type WriteModel } from '@crm/eventstore';
import type { PoolClient } from '@crm/postgres';
import { NoticeStates } from './notice-states.repository.js';
import { noticeCodec } from './notice.codec.js';
import { noticeDecider, type NoticeCommand, type NoticeEvent, type NoticeState } from './notice.decider.js';
import { noticeLanguageOf, noticeStream } from './notice.streams.js';

/**
 * A language's privacy notices as the command pipeline runs them: one aggregate per language (stream
 * `privacy-notice-<lang>`), so versions are numbered without gaps and a publication is decided against every
 * version of its language. The state is the language's `privacy_notice_states` row, locked `FOR UPDATE` and
 * written with every event; before the first draft there is no row (version 0), and two first drafts race on the
 * append, the loser deciding again.
 */
@Injectable()
export class NoticeWriteModel implements WriteModel<NoticeCommand, NoticeState, NoticeEvent> {
  readonly decider = noticeDecider;
  readonly codec = noticeCodec;

  constructor(private readonly states: NoticeStates) {}

  streamOf(command: NoticeCommand): string {
    return noticeStream(command.lang);
  }

  async load(tx: PoolClient, command: NoticeCommand): Promise<LoadedState<NoticeState>> {
    const row = await this.states.byLangForUpdate(tx, command.lang);
    return row === undefined ? { state: noticeDecider.initialState(), version: 0n } : { state: row.state, version: row.version };
  }

  async save(tx: PoolClient, change: StateChange<NoticeCommand, NoticeState, NoticeEvent>): Promise<void> {
    if (change.events.length === 0) return;
    await this.states.save(tx, change.command.lang, change.version, change.state, change.at);
  }

  /** The `privacy_notice_states` row of a stream a restore replayed events into, refolded from them (docs/backup.md). */
  rowsRefold(): StateRowsRefold {
    return foldingRefold({
      matches: (streamId) => noticeLanguageOf(streamId) !== undefined,
      decider: noticeDecider,
      codec: this.codec,
      save: (tx, { streamId, version, state, at }) => this.states.save(tx, noticeLanguageOf(streamId)!, version, state, at),
    });
  }
}
