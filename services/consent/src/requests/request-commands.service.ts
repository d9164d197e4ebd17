import { Inject, Injectable } from '@nestjs/common';
import { isCryptoError } from '@crm/crypto';
import type { CommandPipeline, EventMetadata } from '@crm/eventstore';
import { CLOCK, COMMAND_PIPELINE, type Clock } from '@crm/platform';
import { KnownContacts } from '../known-contacts/known-contacts.repository.js';
import { RequestStates } from './request-states.repository.js';
import type { FiledRequest, FileRequest, RequestCommand } from './request.decider.js';
import { requestError } from './request.errors.js';
import { isRequestId } from './request.streams.js';
import { RequestWriteModel } from './request.write-model.js';

export interface RequestOutcome {
  version: number;
  state: FiledRequest;
  /** How many events the command decided (the deadline job's commands may decide none). */
  decided: number;
  /** The ids of the events it appended. */
  eventIds: readonly string[];
}

type Unstamped<C> = C extends RequestCommand ? Omit<C, 'at'> : never;
/** A command on a filed request: the contact it is about is read from the request's row, never from the caller. */
type OnFiled<C> = C extends RequestCommand ? Omit<C, 'at' | 'contactId'> : never;

/** Request commands through the service's one write path, stamped once by the service's clock. */
@Injectable()
export class RequestCommands {
  constructor(
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly model: RequestWriteModel,
    private readonly states: RequestStates,
    private readonly known: KnownContacts,
  ) {}

  /**
   * Files a new request, about a contact that exists: consent learns contacts from contacts' events (the
   * known-contacts projector), and an id it has never seen is refused before the pipeline runs, so it leaves no
   * event, no state row and no key. An erased contact stays known; its shredded key refuses it (REQUEST_CONTACT_ERASED).
   */
  async file(command: Unstamped<FileRequest>, metadata: EventMetadata): Promise<RequestOutcome> {
    if (!(await this.known.has(command.contactId))) {
      throw requestError('REQUEST_CONTACT_UNKNOWN', 'no contact with this id is known (a contact created a moment ago is known within seconds)');
    }
    return this.run({ ...command, at: this.clock().toISOString() }, metadata);
  }

  /** Any other command, on a request that exists (an unknown or malformed id is REQUEST_NOT_FOUND). */
  async onFiled(command: OnFiled<Exclude<RequestCommand, FileRequest>>, metadata: EventMetadata): Promise<RequestOutcome> {
    const row = isRequestId(command.requestId) ? await this.states.byId(command.requestId) : undefined;
    if (row === undefined) throw requestError('REQUEST_NOT_FOUND', 'no such request');
    return this.run({ ...command, contactId: row.state.contactId, at: this.clock().toISOString() } as RequestCommand, metadata);
  }

  private async run(command: RequestCommand, metadata: EventMetadata): Promise<RequestOutcome> {
    try {
      const outcome = await this.pipeline.execute(this.model, command, metadata);
      if (outcome.state.status === 'none') throw new Error('a request command left no request');
      return { version: Number(outcome.version), state: outcome.state, decided: outcome.events.length, eventIds: outcome.eventIds };
    } catch (error) {
      if (isCryptoError(error, 'KEY_SHREDDED')) throw requestError('REQUEST_CONTACT_ERASED', 'the contact of this request has been erased', { cause: error });
      throw error;
    }
  }
}
