import { applyDecorators, Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Caller } from '@crm/auth';
import type { Purpose } from '../contact-schema/index.js';
import type { ContactView } from '../contact-views/contact-views.service.js';
import { readBasis } from '../lawful-basis/basis.decision.js';
import { decidePurpose, ensureAllowed } from '../processing/purpose-access.decision.js';
import {
  DATA_SUBJECT_RIGHTS_PURPOSE,
  legalBasisSchema,
  processingContext,
  purposeSchema,
  type LegalBasisCode,
  type ProcessingContext,
} from '../processing/processing-context.js';

// What the contact routes share: where they live, who is asking, how a request names its processing, and how a
// contact is answered.

/** A controller of the contact as a resource, under `/v1/contacts` (tagged `contacts` in the OpenAPI document). */
export const ContactsRoute = (): ClassDecorator => applyDecorators(ApiTags('contacts'), Controller('v1/contacts'));

/** Processing for one of the catalogue's purposes: what a contact shown is minimised to. */
export type PurposeContext = ProcessingContext & { purpose: Purpose };

/** Processing for `purpose`, which the caller's roles must include (403 `PURPOSE_NOT_PERMITTED`). */
export function purposeContext({ auth, request }: Caller, purpose: Purpose, legalBasis?: LegalBasisCode): PurposeContext {
  ensureAllowed(decidePurpose(auth.perms, purpose), purpose);
  return { ...processingContext(auth, request, purpose, legalBasis), purpose };
}

/** The query fields of every read: the purpose and, optionally, which of the purpose's bases the read rests on. */
export const readFields = { purpose: purposeSchema, legalBasis: legalBasisSchema.optional() };

/** A read's processing: on the basis it names, which must be one of the purpose's (else 400), or the purpose's default. */
export function readContext(caller: Caller, purpose: Purpose, legalBasis: LegalBasisCode | undefined): PurposeContext {
  return purposeContext(caller, purpose, readBasis(purpose, legalBasis));
}

/** A data subject's own request (restriction), handled under the controller's legal obligation whoever files it. */
export function subjectRightsContext({ auth, request }: Caller): ProcessingContext {
  return processingContext(auth, request, DATA_SUBJECT_RIGHTS_PURPOSE, 'legal-obligation');
}

/** A contact answers with its version as ETag, for the client to send back as If-Match. */
export function withVersionTag(response: Response, view: ContactView): ContactView {
  response.setHeader('etag', `"${view.version}"`);
  return view;
}
