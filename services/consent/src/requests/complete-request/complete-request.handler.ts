import { Injectable } from '@nestjs/common';
import { AppError } from '@crm/errors';
import type { EventMetadata } from '@crm/eventstore';
import { ConsentCommands } from '../../consents/consent-commands.service.js';
import { RequestCommands, type RequestOutcome } from '../request-commands.service.js';
import { RequestStates } from '../request-states.repository.js';
import { requestError } from '../request.errors.js';
import { isRequestId } from '../request.streams.js';

export interface CompleteRequestInput {
  reference?: string;
  /** For an objection request: the purpose objected to, recorded as the contact's objection (Art. 21). */
  purpose?: string;
}

/**
 * Completes a request. For an *objection* the work is this service's own: the objection is recorded on the contact's
 * consent stream first (refused like `POST /v1/contacts/{id}/objections`; one recorded already counts as done), then
 * the request is completed with a reference to it. Other types record the completion and the DPO's reference.
 * The request is checked completable before the objection is recorded, so a closed or unverified request records
 * nothing; the two writes are two aggregates, so a crash between them leaves the objection recorded and the request
 * open, and completing it again finishes it.
 */
@Injectable()
export class CompleteRequestHandler {
  constructor(
    private readonly requests: RequestCommands,
    private readonly states: RequestStates,
    private readonly consents: ConsentCommands,
  ) {}

  async execute(requestId: string, input: CompleteRequestInput, metadata: EventMetadata): Promise<RequestOutcome> {
    const row = isRequestId(requestId) ? await this.states.byId(requestId) : undefined;
    const complete = (reference: string | undefined) =>
      this.requests.onFiled({ type: 'CompleteRequest', requestId, ...(reference === undefined ? {} : { reference }), actorId: metadata.actor.id }, metadata);
    if (row === undefined) throw requestError('REQUEST_NOT_FOUND', 'no such request');
    const request = row.state;
    if (request.requestType !== 'objection') {
      if (input.purpose !== undefined) throw requestError('REQUEST_PURPOSE_NOT_APPLICABLE', `a ${request.requestType} request records no objection`);
      return complete(input.reference);
    }
    // Closed or unverified: the completion's own refusal, before anything is recorded.
    if (request.status !== 'verified' && request.status !== 'in-progress') return complete(input.reference);
    if (input.purpose === undefined) throw requestError('REQUEST_OBJECTION_PURPOSE_REQUIRED', 'completing an objection request names the purpose objected to');
    let objection: string;
    try {
      const outcome = await this.consents.execute(
        { type: 'RecordObjection', contactId: request.contactId, purpose: input.purpose, actorId: metadata.actor.id },
        metadata,
      );
      objection = `objection to ${input.purpose} recorded (consent stream version ${outcome.version})`;
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'OBJECTION_ALREADY_RECORDED')) throw error;
      objection = `objection to ${input.purpose} recorded already`;
    }
    return complete(input.reference === undefined ? objection : `${objection}; ${input.reference}`);
  }
}
