import type { Request } from 'express';
import { z } from 'zod';
import type { AccessTokenClaims } from '@crm/auth';
import { ActorType, LegalBasis } from '@crm/contracts';
import type { EventMetadata } from '@crm/eventstore';
import { correlationId } from '@crm/http';
import { PURPOSES, type Purpose } from '../contact-schema/index.js';

/** GDPR Art. 6(1)(a)–(f) as the API spells them. */
export const LEGAL_BASES = {
  consent: LegalBasis.CONSENT,
  contract: LegalBasis.CONTRACT,
  'legal-obligation': LegalBasis.LEGAL_OBLIGATION,
  'vital-interests': LegalBasis.VITAL_INTERESTS,
  'public-task': LegalBasis.PUBLIC_TASK,
  'legitimate-interests': LegalBasis.LEGITIMATE_INTERESTS,
} as const;
export type LegalBasisCode = keyof typeof LEGAL_BASES;

/**
 * The basis a purpose normally rests on, used when a request does not name one. Marketing rests on consent (ePrivacy
 * and Art. 21(2)); serving, selling to and billing a customer on the contract; analytics on legitimate interests.
 */
export const DEFAULT_LEGAL_BASIS: Readonly<Record<Purpose, LegalBasisCode>> = {
  'customer-service': 'contract',
  sales: 'contract',
  marketing: 'consent',
  billing: 'contract',
  analytics: 'legitimate-interests',
};

/** The purpose of handling a data subject's own request (restriction, erasure): the controller's Art. 12–22 duty. */
export const DATA_SUBJECT_RIGHTS_PURPOSE = 'data-subject-rights';

export const purposeSchema = z.enum(PURPOSES);
export const legalBasisSchema = z.enum(Object.keys(LEGAL_BASES) as [LegalBasisCode, ...LegalBasisCode[]]);

/** Who is processing, why and on which basis: what every event and every access record carries. */
export interface ProcessingContext {
  actorId: string;
  purpose: string;
  legalBasis: LegalBasisCode;
  correlationId: string;
}

export function processingContext(auth: AccessTokenClaims, request: Request, purpose: string, legalBasis: LegalBasisCode | undefined): ProcessingContext {
  const basis = legalBasis ?? DEFAULT_LEGAL_BASIS[purpose as Purpose] ?? 'legal-obligation';
  return { actorId: auth.sub, purpose, legalBasis: basis, correlationId: correlationId(request) };
}

export function eventMetadata(context: ProcessingContext): EventMetadata {
  return {
    actor: { id: context.actorId, type: ActorType.USER },
    purpose: context.purpose,
    legalBasis: LEGAL_BASES[context.legalBasis],
    correlationId: context.correlationId,
  };
}
