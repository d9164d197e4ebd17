import type { Request } from 'express';
import { z } from 'zod';
import type { AccessTokenClaims } from '@crm/auth';
import { ActorType, LegalBasis } from '@crm/contracts';
import type { EventMetadata } from '@crm/eventstore';
import { correlationId } from '@crm/http';
import { defaultBasisOf, isPurpose, PURPOSES, type LegalBasisCode } from '../contact-schema/index.js';

export type { LegalBasisCode } from '../contact-schema/index.js';

/** GDPR Art. 6(1)(a)–(f) as the API spells them, and as the wire does. */
export const LEGAL_BASES: Readonly<Record<LegalBasisCode, LegalBasis>> = {
  consent: LegalBasis.CONSENT,
  contract: LegalBasis.CONTRACT,
  'legal-obligation': LegalBasis.LEGAL_OBLIGATION,
  'vital-interests': LegalBasis.VITAL_INTERESTS,
  'public-task': LegalBasis.PUBLIC_TASK,
  'legitimate-interests': LegalBasis.LEGITIMATE_INTERESTS,
};

/** The purpose of handling a data subject's own request (restriction, erasure): the controller's Art. 12–22 duty. */
export const DATA_SUBJECT_RIGHTS_PURPOSE = 'data-subject-rights';

export const purposeSchema = z.enum(PURPOSES);
export const legalBasisSchema = z.enum(Object.keys(LEGAL_BASES) as [LegalBasisCode, ...LegalBasisCode[]]);

/** Who is processing, why and on which basis: what every event and every access record carries. */
export interface ProcessingContext {
  actorId: string;
  /** A signed-in user unless said otherwise (the retention sweep acts as the system). */
  actorType?: ActorType;
  purpose: string;
  legalBasis: LegalBasisCode;
  correlationId: string;
}

export function processingContext(auth: AccessTokenClaims, request: Request, purpose: string, legalBasis: LegalBasisCode | undefined): ProcessingContext {
  // The purpose's usual basis (contact-schema/purpose-bases.ts): marketing on consent, serving, selling to and billing
  // a customer on the contract, analytics on legitimate interests; the platform's own purposes on legal obligation.
  const basis = legalBasis ?? (isPurpose(purpose) ? defaultBasisOf(purpose) : 'legal-obligation');
  return { actorId: auth.sub, purpose, legalBasis: basis, correlationId: correlationId(request) };
}

export function eventMetadata(context: ProcessingContext): EventMetadata {
  return {
    actor: { id: context.actorId, type: context.actorType ?? ActorType.USER },
    purpose: context.purpose,
    legalBasis: LEGAL_BASES[context.legalBasis],
    correlationId: context.correlationId,
  };
}
