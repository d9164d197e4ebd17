import { Inject, Injectable } from '@nestjs/common';
import type { CommandPipeline, EventMetadata } from '@crm/eventstore';
import { CLOCK, COMMAND_PIPELINE, type Clock } from '@crm/platform';
import type { NoticeCommand, NoticeState } from './notice.decider.js';
import { NoticeWriteModel } from './notice.write-model.js';

type Unstamped<C> = C extends NoticeCommand ? Omit<C, 'at'> : never;

export interface NoticeOutcome {
  /** The language stream's version after the command. */
  streamVersion: number;
  state: NoticeState;
}

/** Privacy-notice commands through the service's one write path, stamped once by the service's clock. */
@Injectable()
export class NoticeCommands {
  constructor(
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly model: NoticeWriteModel,
  ) {}

  async execute(command: Unstamped<NoticeCommand>, metadata: EventMetadata): Promise<NoticeOutcome> {
    const stamped = { ...command, at: this.clock().toISOString() } as NoticeCommand;
    const outcome = await this.pipeline.execute(this.model, stamped, metadata);
    return { streamVersion: Number(outcome.version), state: outcome.state };
  }
}
