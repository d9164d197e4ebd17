import { consentApi } from '@crm/api-contract';

/** The rights a data subject may exercise through the request desk (GDPR Art. 15–18, 20, 21). */
export const REQUEST_TYPES = consentApi.REQUEST_TYPES;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** How the requester's identity was verified (Art. 12(2), (6)). */
export const VERIFICATION_METHODS = consentApi.VERIFICATION_METHODS;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/** One stream per request: its lifecycle is one aggregate, and the contact it is about is the subject. */
export function requestStream(requestId: string): string {
  return `subject-request-${requestId}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Request ids are UUIDs (the desk makes them); anything else names no request. */
export const isRequestId = (value: string): boolean => UUID.test(value);

/**
 * Where each sealed part of a request is bound: to the request and to the part, so a sealed value cannot be moved to
 * another request or field (the contact's key is the subject binding).
 */
export const requestFieldPath = (
  requestId: string,
  part: 'channel-reference' | 'verification-evidence' | 'extension-reason' | 'refusal-reason' | 'completion-reference',
): string => `request.${requestId}.${part}`;
