import { Injectable } from '@nestjs/common';
import type { Caller } from '@crm/auth';
import { AppError, bearerToken, correlationId, ServiceClient } from '@crm/http';
import { requestError } from '../request.errors.js';
import type { SubjectAuditEntry, SubjectData } from './subject-package.js';

/** What contacts' erasure answers (`POST /v1/contacts/{id}/erasure`). */
export interface ContactErasureAnswer {
  id: string;
  erasedAt: string;
  alreadyErased: boolean;
  eventId?: string;
  ledger: { subjectId: string; erasedAt: string; reason: string; keyVersions: number[] };
}

/** Audit's inclusion proof of one entry (`GET /v1/audit/entries/{eventId}/proof`), passed on as it answers. */
export type InclusionProof = Record<string, unknown> & { leafIndex: number; treeSize: number; proof: string[] };

/**
 * The other services a request's work needs, over HTTP (a service never imports another): contacts for the person's
 * data and erasure, audit for the trail and its proofs. Each call carries the DPO's own access token, so contacts
 * and audit check the DPO's permissions and second factor as if the DPO had called them, and record the DPO as the
 * actor: the desk can do nothing its user could not.
 */
@Injectable()
export class SubjectServices {
  readonly #client = new ServiceClient();

  async subjectData(contactId: string, caller: Caller): Promise<SubjectData> {
    return (await this.#call<SubjectData>('contacts', 'GET', `/v1/contacts/${contactId}/subject-data`, caller)).body;
  }

  /** Every audit entry about the contact, in the order it happened (the audit service's subject report). */
  async trail(contactId: string, caller: Caller): Promise<SubjectAuditEntry[]> {
    return (await this.#call<{ entries: SubjectAuditEntry[] }>('audit', 'GET', `/v1/audit/subjects/${contactId}/report`, caller)).body.entries;
  }

  async erase(contactId: string, caller: Caller): Promise<ContactErasureAnswer> {
    return (await this.#call<ContactErasureAnswer>('contacts', 'POST', `/v1/contacts/${contactId}/erasure`, caller)).body;
  }

  /** Rectification at the person's request (contacts validates the changes and answers the new version). */
  async rectify(contactId: string, changes: unknown, expectedVersion: number | undefined, caller: Caller): Promise<{ version: number }> {
    const body = { changes, ...(expectedVersion === undefined ? {} : { expectedVersion }) };
    return (await this.#call<{ version: number }>('contacts', 'POST', `/v1/contacts/${contactId}/subject-rectification`, caller, body)).body;
  }

  /** Restriction of processing (Art. 18); restricting a restricted contact again changes nothing. */
  async restrict(contactId: string, reason: string, caller: Caller): Promise<{ restricted: boolean; version: number }> {
    return (await this.#call<{ restricted: boolean; version: number }>('contacts', 'POST', `/v1/contacts/${contactId}/restriction`, caller, { reason })).body;
  }

  /** The inclusion proof of an event's audit entry, or undefined while the trail has not ingested it yet. */
  async inclusionProof(eventId: string, caller: Caller): Promise<InclusionProof | undefined> {
    try {
      return (await this.#call<InclusionProof>('audit', 'GET', `/v1/audit/entries/${encodeURIComponent(eventId)}/proof`, caller)).body;
    } catch (error) {
      if (error instanceof AppError && error.code === 'AUDIT_ENTRY_NOT_FOUND') return undefined;
      throw error;
    }
  }

  async #call<T>(service: 'contacts' | 'audit', method: 'GET' | 'POST', path: string, caller: Caller, body?: unknown) {
    const bearer = bearerToken(caller.request);
    if (bearer === undefined) throw new AppError('UNAUTHENTICATED', 'unauthenticated', 'a request is worked with the caller’s own access token');
    try {
      return await this.#client.call<T>(service, {
        method,
        path,
        bearer,
        correlationId: correlationId(caller.request),
        ...(body === undefined ? {} : { body }),
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'CONTACT_ERASED')
        throw requestError('REQUEST_CONTACT_ERASED', 'the contact of this request has been erased', { cause: error });
      if (error instanceof AppError && error.code === 'CONTACT_NOT_FOUND')
        throw requestError('REQUEST_CONTACT_UNKNOWN', 'contacts has no contact of this id', { cause: error });
      throw error;
    }
  }
}
