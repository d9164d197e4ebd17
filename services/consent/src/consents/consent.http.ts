import { applyDecorators, Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Caller } from '@crm/auth';
import { ActorType, LegalBasis } from '@crm/contracts';
import type { EventMetadata } from '@crm/eventstore';
import { correlationId } from '@crm/http';

// What the consent routes share: where they live, who is asking, and what the events they write say about it.

/** A controller of consent routes (tagged `consent` in the OpenAPI document, as the gateway manifest says). */
export const ConsentRoute = (prefix = 'v1'): ClassDecorator => applyDecorators(ApiTags('consent'), Controller(prefix));

/**
 * Recording a consent, its withdrawal or an objection is the controller's duty towards the data subject (Art. 7(1):
 * demonstrate consent; Art. 7(3), 21), whoever files it: purpose `data-subject-rights`, basis legal obligation, as
 * contacts records a restriction. The purpose the consent is about is in the payload.
 */
export const SUBJECT_RIGHTS_PURPOSE = 'data-subject-rights';

export function consentMetadata({ auth, request }: Caller): EventMetadata {
  return {
    actor: { id: auth.sub, type: ActorType.USER },
    purpose: SUBJECT_RIGHTS_PURPOSE,
    legalBasis: LegalBasis.LEGAL_OBLIGATION,
    correlationId: correlationId(request),
  };
}
