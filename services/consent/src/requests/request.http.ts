import { ActorType, LegalBasis } from '@crm/contracts';
import type { EventMetadata } from '@crm/eventstore';
import { correlationId } from '@crm/http';
import type { Caller } from '@crm/auth';
import { SUBJECT_RIGHTS_PURPOSE } from '../consents/consent.http.js';
import { isDueSoon, isPastDue } from './request.deadlines.js';
import type { FiledRequest } from './request.decider.js';

/**
 * Working a data-subject request is the controller's duty towards the person (Art. 12, 15–22): purpose
 * `data-subject-rights`, basis legal obligation, the DPO as actor.
 */
export function requestMetadata({ auth, request }: Caller): EventMetadata {
  return {
    actor: { id: auth.sub, type: ActorType.USER },
    purpose: SUBJECT_RIGHTS_PURPOSE,
    legalBasis: LegalBasis.LEGAL_OBLIGATION,
    correlationId: correlationId(request),
  };
}

/** The deadline jobs act as the consent service itself. */
export const DEADLINE_JOB_ACTOR = 'consent:request-deadlines';

export function deadlineJobMetadata(correlation: string): EventMetadata {
  return {
    actor: { id: DEADLINE_JOB_ACTOR, type: ActorType.SERVICE },
    purpose: SUBJECT_RIGHTS_PURPOSE,
    legalBasis: LegalBasis.LEGAL_OBLIGATION,
    correlationId: correlation,
  };
}

/** A request as the desk answers it: its state, and whether it is overdue or due soon by the service's clock now. */
export interface RequestView extends FiledRequest {
  version: number;
  overdue: boolean;
  dueSoon: boolean;
}

export function requestView(state: FiledRequest, version: number, now: Date): RequestView {
  const open = state.status !== 'completed' && state.status !== 'refused';
  const at = now.toISOString();
  return { ...state, version, overdue: open && isPastDue(state.dueAt, at), dueSoon: open && isDueSoon(state.dueAt, at) };
}
