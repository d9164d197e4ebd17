import { Injectable } from '@nestjs/common';
import { ActorType, LegalBasis } from '@crm/contracts';
import { AppError } from '@crm/errors';
import { ConsentCommands } from '../consent-commands.service.js';
import { consentError } from '../consent.errors.js';
import { SUBJECT_RIGHTS_PURPOSE } from '../consent.http.js';
import { contactOfToken, tokenSha256 } from './confirmation-token.js';

/** What the public confirmation answers: the purpose and when, nothing that identifies the person. */
export interface ConfirmationAnswer {
  purpose: string;
  status: 'given';
  givenAt: string;
}

/**
 * The person's confirmation of a double opt-in (the link in the e-mail): the consent asked for is given, recorded with
 * the person as its actor. A token that names no known contact is as unknown as one the contact never got.
 */
@Injectable()
export class ConfirmConsentHandler {
  constructor(private readonly commands: ConsentCommands) {}

  async execute(token: string, correlationId: string): Promise<ConfirmationAnswer> {
    const contactId = contactOfToken(token);
    if (contactId === undefined) throw unknown();
    const hash = tokenSha256(token);
    const metadata = {
      actor: { id: contactId, type: ActorType.DATA_SUBJECT },
      purpose: SUBJECT_RIGHTS_PURPOSE,
      legalBasis: LegalBasis.LEGAL_OBLIGATION,
      correlationId,
    };
    try {
      const outcome = await this.commands.execute({ type: 'ConfirmConsent', contactId, tokenSha256: hash, actorId: contactId }, metadata);
      const confirmation = outcome.state.confirmations?.[hash];
      return { purpose: confirmation!.purpose, status: 'given', givenAt: confirmation!.confirmedAt! };
    } catch (error) {
      if (error instanceof AppError && (error.code === 'CONSENT_CONTACT_UNKNOWN' || error.code === 'CONSENT_CONTACT_ID_INVALID')) throw unknown();
      throw error;
    }
  }
}

const unknown = () => consentError('CONSENT_CONFIRMATION_UNKNOWN', 'no consent waits for this confirmation token');
