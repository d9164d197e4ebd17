// Test-only: a data-subject request's history and given/when/then over one decision, for the decisions' unit specs.
import { givenHistory } from '@crm/testing';
import { requestDecider, type RequestCommand, type RequestEvent, type RequestFiled, type RequestState } from '../requests/request.decider.js';

export const requestId = '01900000-0000-7000-8000-0000000000aa';
export const contactId = '01900000-0000-7000-8000-00000000c0c0';
export const dpoId = 'dpo-1';
/** Received on 15 January: due at the end of 15 February (one calendar month). */
export const receivedAt = '2027-01-15T10:30:00.000Z';
export const filedAt = '2027-01-16T08:00:00.000Z';
export const dueAt = '2027-02-15T23:59:59.999Z';

export const filed: RequestFiled = {
  type: 'RequestFiled',
  requestId,
  contactId,
  requestType: 'access',
  channel: 'email',
  channelReference: 'e-mail of 15 January, message id <abc@example.com>',
  receivedAt,
  dueAt,
  actorId: dpoId,
  at: filedAt,
};
export const verified: RequestEvent = {
  type: 'IdentityVerified',
  requestId,
  contactId,
  method: 'id-document',
  evidence: 'ID card checked on a video call',
  actorId: dpoId,
  at: '2027-01-17T09:00:00.000Z',
};
export const started: RequestEvent = { type: 'RequestStarted', requestId, contactId, actorId: dpoId, at: '2027-01-18T09:00:00.000Z' };
export const completed: RequestEvent = {
  type: 'RequestCompleted',
  requestId,
  contactId,
  reference: 'package 1',
  actorId: dpoId,
  at: '2027-01-20T09:00:00.000Z',
};
export const refused: RequestEvent = {
  type: 'RequestRefused',
  requestId,
  contactId,
  reason: 'manifestly unfounded',
  actorId: dpoId,
  at: '2027-01-20T09:00:00.000Z',
};

/** `given(...history).when(command)` → the decided events, or `.refuses(command)` → the AppError thrown. */
export const givenRequestOf = <C extends RequestCommand>(decide: (command: C, state: RequestState) => RequestEvent[]) => givenHistory(requestDecider, decide);
