import { Injectable } from '@nestjs/common';
import type { EventMetadata } from '@crm/eventstore';
import { NoticeStates } from '../../notices/notice-states.repository.js';
import { ConsentCommands } from '../consent-commands.service.js';
import type { ConsentChannel, Evidence, NoticeStanding, PurposeConsent } from '../consent.decider.js';

export interface ConsentAnswer {
  contactId: string;
  version: number;
  purpose: string;
  consent: PurposeConsent;
}

export interface GiveConsentInput {
  purpose: string;
  noticeVersion: string;
  channel: ConsentChannel;
  evidence: Evidence;
}

/** Records consent given for a purpose against a published privacy notice; answers the consent now in force (without the evidence: it is in the history). */
@Injectable()
export class GiveConsentHandler {
  constructor(
    private readonly commands: ConsentCommands,
    private readonly notices: NoticeStates,
  ) {}

  async execute(contactId: string, input: GiveConsentInput, metadata: EventMetadata): Promise<ConsentAnswer> {
    const notice = await this.standing(input.noticeVersion);
    const outcome = await this.commands.execute({ type: 'GiveConsent', contactId, ...input, notice, actorId: metadata.actor.id }, metadata);
    return { contactId, version: outcome.version, purpose: input.purpose, consent: outcome.state.consents[input.purpose]! };
  }

  private async standing(noticeVersion: string): Promise<NoticeStanding> {
    const version = await this.notices.version(noticeVersion);
    if (version === undefined) return { status: 'unknown' };
    if (version.status !== 'published' || version.contentSha256 === undefined) return { status: 'draft' };
    return { status: 'published', contentSha256: version.contentSha256 };
  }
}
