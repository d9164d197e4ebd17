import type { Request, Response } from 'express';
import type { AccessTokenClaims } from '@crm/auth';
import type { Purpose } from '../contact-schema/index.js';
import type { ContactView } from '../contact-views/contact-views.service.js';
import { legalBasisSchema, processingContext, purposeSchema, type LegalBasisCode, type ProcessingContext } from '../processing/processing-context.js';

// What the contact routes share: how a request names its processing, and how a contact is answered.

/** The body fields of every write: the purpose of the processing and, optionally, its legal basis. */
export const processingFields = { purpose: purposeSchema, legalBasis: legalBasisSchema.optional() };

/** Processing for one of the catalogue's purposes: what a contact shown is minimised to. */
export type PurposeContext = ProcessingContext & { purpose: Purpose };

export function purposeContext(auth: AccessTokenClaims, request: Request, purpose: Purpose, legalBasis?: LegalBasisCode): PurposeContext {
  return { ...processingContext(auth, request, purpose, legalBasis), purpose };
}

/** A contact answers with its version as ETag, for the client to send back as If-Match. */
export function withVersionTag(response: Response, view: ContactView): ContactView {
  response.setHeader('etag', `"${view.version}"`);
  return view;
}
