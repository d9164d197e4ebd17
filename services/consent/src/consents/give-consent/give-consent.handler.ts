import { Inject, Injectable } from '@nestjs/common';
import type { EventMetadata } from '@crm/eventstore';
import { NoticeStates } from '../../notices/notice-states.repository.js';
import { assertContactId, ConsentCommands } from '../consent-commands.service.js';
import { CONSENT_CONFIRMATION_TTL_HOURS, newConfirmationToken } from '../confirm-consent/confirmation-token.js';
import type { ConsentChannel, Evidence, NoticeStanding, PurposeConsent } from '../consent.decider.js';

export interface ConsentAnswer {
  contactId: string;
  version: number;
  purpose: string;
  consent: PurposeConsent;
}

/**
 * Consent that waits for the person's confirmation (double opt-in): the token is answered once, here, for the caller
 * to mail to the person (this platform sends no e-mail); only its hash is kept.
 */
export interface ConfirmationRequestedAnswer {
  contactId: string;
  version: number;
  purpose: string;
  status: 'confirmation-requested';
  confirmation: { token: string; expiresAt: string; confirmPath: string };
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
    @Inject(CONSENT_CONFIRMATION_TTL_HOURS) private readonly ttlHours: number,
  ) {}

  async execute(contactId: string, input: GiveConsentInput, metadata: EventMetadata): Promise<ConsentAnswer | ConfirmationRequestedAnswer> {
    assertContactId(contactId);
    const notice = await this.standing(input.noticeVersion);
    // A fresh token every time; the decision says whether this consent waits for it (marketing by e-mail).
    const { token, tokenSha256 } = newConfirmationToken(contactId);
    const outcome = await this.commands.execute(
      { type: 'GiveConsent', contactId, ...input, notice, confirmation: { tokenSha256, ttlHours: this.ttlHours }, actorId: metadata.actor.id },
      metadata,
    );
    const pending = outcome.state.confirmations?.[tokenSha256];
    if (pending !== undefined) {
      return {
        contactId,
        version: outcome.version,
        purpose: pending.purpose,
        status: 'confirmation-requested',
        confirmation: { token, expiresAt: pending.expiresAt, confirmPath: `/v1/consent-confirmations/${token}` },
      };
    }
    return { contactId, version: outcome.version, purpose: input.purpose, consent: outcome.state.consents[input.purpose]! };
  }

  private async standing(noticeVersion: string): Promise<NoticeStanding> {
    const version = await this.notices.version(noticeVersion);
    if (version === undefined) return { status: 'unknown' };
    if (version.status !== 'published' || version.contentSha256 === undefined) return { status: 'draft' };
    return { status: 'published', contentSha256: version.contentSha256 };
  }
}
