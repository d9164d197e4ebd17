import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '@crm/auth';
import { AppError } from '@crm/errors';
import type { EventMetadata } from '@crm/eventstore';
import { CLOCK, type Clock } from '@crm/platform';
import { ConsentCommands } from '../../consents/consent-commands.service.js';
import { ViewConsentsHandler } from '../../consents/view-consents/view-consents.handler.js';
import { NoticeStates } from '../../notices/notice-states.repository.js';
import { currentNotice } from '../../notices/read-notice/current-notice.js';
import { RequestCommands, type RequestOutcome } from '../request-commands.service.js';
import { RequestStates } from '../request-states.repository.js';
import type { FiledRequest } from '../request.decider.js';
import { requestError } from '../request.errors.js';
import { isRequestId } from '../request.streams.js';
import { RequestOutputs } from '../request-outputs/request-outputs.repository.js';
import {
  accessPackageFiles,
  buildAccessPackage,
  buildPortability,
  pseudonymousConsentProof,
  type ErasureReceipt,
  type PackageNotice,
  type PackageConsents,
} from '../request-outputs/subject-package.js';
import { SubjectServices } from '../request-outputs/subject-services.js';

export interface CompleteRequestInput {
  reference?: string;
  /** For an objection request: the purpose objected to, recorded as the contact's objection (Art. 21). */
  purpose?: string;
  /** For a rectification request: the changes, as `PATCH /v1/contacts/{id}` takes them (Art. 16), validated by contacts. */
  changes?: unknown;
  /** For a rectification request: the contact's version the changes were decided against (a lost-update guard). */
  expectedVersion?: number;
  /** For a restriction request: the ground (Art. 18(1)), one of contacts' restriction reasons. */
  restrictionReason?: string;
}

/** Which completion fields belong to which request type (a field on another type is REQUEST_WORK_NOT_APPLICABLE). */
const WORK_FIELDS = { changes: 'rectification', expectedVersion: 'rectification', restrictionReason: 'restriction' } as const;

/** How long the DPO may download a package after completion; the deadline sweep deletes it then. */
export const PACKAGE_TTL_DAYS = 30;
const DAY_MS = 86_400_000;

export interface CompletionOutcome extends RequestOutcome {
  /** Access and portability: the files built, and until when they can be downloaded. */
  package?: { formats: string[]; expiresAt: string };
  /** Erasure: the receipt (without its inclusion proof, which `GET /v1/requests/{id}/receipt` adds once the trail has it). */
  receipt?: ErasureReceipt;
}

/**
 * Completes a request, doing its work first:
 * - *access*: the package (Art. 15) — the whole contact from contacts, the trail of its processing from audit, its
 *   consents and the purposes, bases, recipients and retention here — as JSON and printable HTML, sealed under the
 *   contact's key, downloadable for {@link PACKAGE_TTL_DAYS} days;
 * - *portability*: what the person provided (Art. 20), as JSON and CSV, sealed and expiring alike;
 * - *erasure*: the contact erased by contacts (its key destroyed, Art. 17), then the request completed and an
 *   erasure receipt stored: what was destroyed, the ledger entry, the events, the consent records as they remain;
 * - *objection*: the objection recorded on the contact's consent stream (Art. 21);
 * - *rectification*: the `changes` made by contacts (validated there, recorded under data-subject-rights);
 * - *restriction*: the contact's processing restricted by contacts on the `restrictionReason` (again: no change).
 * The request is checked completable before any work, so a closed or unverified request does nothing. The work and
 * the completion are writes of different aggregates (services, even): a crash between them leaves the work done and
 * the request open, and completing it again finishes it (packages are rebuilt, an erasure is idempotent).
 */
@Injectable()
export class CompleteRequestHandler {
  constructor(
    private readonly requests: RequestCommands,
    private readonly states: RequestStates,
    private readonly consents: ConsentCommands,
    private readonly consentViews: ViewConsentsHandler,
    private readonly notices: NoticeStates,
    private readonly outputs: RequestOutputs,
    private readonly services: SubjectServices,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(requestId: string, input: CompleteRequestInput, metadata: EventMetadata, caller: Caller): Promise<CompletionOutcome> {
    const row = isRequestId(requestId) ? await this.states.byId(requestId) : undefined;
    if (row === undefined) throw requestError('REQUEST_NOT_FOUND', 'no such request');
    const request = row.state;
    const complete = (reference: string | undefined) =>
      this.requests.onFiled({ type: 'CompleteRequest', requestId, ...(reference === undefined ? {} : { reference }), actorId: metadata.actor.id }, metadata);
    if (request.requestType !== 'objection' && input.purpose !== undefined) {
      throw requestError('REQUEST_PURPOSE_NOT_APPLICABLE', `a ${request.requestType} request records no objection`);
    }
    for (const [field, type] of Object.entries(WORK_FIELDS)) {
      if (input[field as keyof typeof WORK_FIELDS] !== undefined && request.requestType !== type) {
        throw requestError('REQUEST_WORK_NOT_APPLICABLE', `${field} belongs to completing a ${type} request`, { details: { field } });
      }
    }
    // Closed or unverified: the decision's own refusal, before any work is done. It refuses whatever the reference, so
    // none is sealed and the key is not needed: an erased contact's completed request is REQUEST_ALREADY_CLOSED too.
    if (request.status !== 'verified' && request.status !== 'in-progress') {
      return this.requests.onFiled({ type: 'CompleteRequest', requestId, withoutKey: true, actorId: metadata.actor.id }, metadata);
    }
    switch (request.requestType) {
      case 'objection':
        return this.#objection(request, input, metadata, complete);
      case 'access':
        return this.#access(request, input, caller, complete);
      case 'portability':
        return this.#portability(request, input, caller, complete);
      case 'erasure':
        return this.#erasure(request, input, metadata, caller);
      case 'rectification': {
        if (input.changes === undefined) throw requestError('REQUEST_CHANGES_REQUIRED', 'completing a rectification request names the changes to make');
        const rectified = await this.services.rectify(request.contactId, input.changes, input.expectedVersion, caller);
        return complete(withWork(`contact rectified (version ${rectified.version})`, input.reference));
      }
      case 'restriction': {
        if (input.restrictionReason === undefined) {
          throw requestError('REQUEST_RESTRICTION_REASON_REQUIRED', 'completing a restriction request names its ground (restrictionReason)');
        }
        const restricted = await this.services.restrict(request.contactId, input.restrictionReason, caller);
        return complete(withWork(`processing restricted (${input.restrictionReason}; contact version ${restricted.version})`, input.reference));
      }
      default: {
        const _exhaustive: never = request.requestType;
        throw new Error(`unknown request type ${String(_exhaustive)}`);
      }
    }
  }

  async #objection(
    request: FiledRequest,
    input: CompleteRequestInput,
    metadata: EventMetadata,
    complete: (reference: string | undefined) => Promise<RequestOutcome>,
  ): Promise<RequestOutcome> {
    if (input.purpose === undefined) throw requestError('REQUEST_OBJECTION_PURPOSE_REQUIRED', 'completing an objection request names the purpose objected to');
    let objection: string;
    try {
      const outcome = await this.consents.execute(
        { type: 'RecordObjection', contactId: request.contactId, purpose: input.purpose, actorId: metadata.actor.id },
        metadata,
      );
      objection = `objection to ${input.purpose} recorded (consent stream version ${outcome.version})`;
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'OBJECTION_ALREADY_RECORDED')) throw error;
      objection = `objection to ${input.purpose} recorded already`;
    }
    return complete(input.reference === undefined ? objection : `${objection}; ${input.reference}`);
  }

  async #access(
    request: FiledRequest,
    input: CompleteRequestInput,
    caller: Caller,
    complete: (reference: string | undefined) => Promise<RequestOutcome>,
  ): Promise<CompletionOutcome> {
    const subject = await this.services.subjectData(request.contactId, caller);
    const [trail, consents, notice] = await Promise.all([
      this.services.trail(request.contactId, caller),
      this.#consents(request.contactId, true),
      this.#notice(),
    ]);
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + PACKAGE_TTL_DAYS * DAY_MS);
    const pkg = buildAccessPackage({ requestId: request.requestId, generatedAt: now, expiresAt, subject, consents, notice, trail });
    const files = accessPackageFiles(pkg);
    await this.outputs.savePackage(request.requestId, request.contactId, files, now, expiresAt);
    const outcome = await complete(withWork(`access package built (JSON, HTML; until ${expiresAt.toISOString()})`, input.reference));
    return { ...outcome, package: { formats: files.map((file) => file.format), expiresAt: expiresAt.toISOString() } };
  }

  async #portability(
    request: FiledRequest,
    input: CompleteRequestInput,
    caller: Caller,
    complete: (reference: string | undefined) => Promise<RequestOutcome>,
  ): Promise<CompletionOutcome> {
    const subject = await this.services.subjectData(request.contactId, caller);
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + PACKAGE_TTL_DAYS * DAY_MS);
    const { files } = buildPortability(request.requestId, subject, now);
    await this.outputs.savePackage(request.requestId, request.contactId, files, now, expiresAt);
    const outcome = await complete(withWork(`portability files built (JSON, CSV; until ${expiresAt.toISOString()})`, input.reference));
    return { ...outcome, package: { formats: files.map((file) => file.format), expiresAt: expiresAt.toISOString() } };
  }

  async #erasure(request: FiledRequest, input: CompleteRequestInput, metadata: EventMetadata, caller: Caller): Promise<CompletionOutcome> {
    if (input.reference !== undefined) {
      throw requestError('REQUEST_REFERENCE_NOT_APPLICABLE', 'an erasure completion records no reference: the erasure receipt is its record');
    }
    // The consent state is PII-free (purposes, times, notice versions and hashes): what remains of it is the proof.
    const consentRecords = pseudonymousConsentProof(await this.#consents(request.contactId, false));
    const erased = await this.services.erase(request.contactId, caller);
    const packagesDeleted = await this.outputs.deletePackagesOf(request.contactId);
    const outcome = await this.requests.onFiled(
      { type: 'CompleteRequest', requestId: request.requestId, withoutKey: true, actorId: metadata.actor.id },
      metadata,
    );
    const completedAt = outcome.state.status === 'completed' ? (outcome.state.completedAt ?? this.clock().toISOString()) : this.clock().toISOString();
    const receipt: ErasureReceipt = {
      format: 'crm.erasure-receipt.v1',
      requestId: request.requestId,
      contactId: request.contactId,
      erasedAt: erased.erasedAt,
      completedAt,
      alreadyErased: erased.alreadyErased,
      destroyed: {
        dataKeyVersions: erased.ledger.keyVersions,
        readModels: ['contacts: contact record and search indexes (tombstone kept)', 'contacts: purchases', 'consent: request packages'],
        requestPackagesDeleted: packagesDeleted,
      },
      ledger: erased.ledger,
      events: [
        ...(erased.eventId === undefined ? [] : [{ eventId: erased.eventId, type: 'crm.contacts.v1.ContactErased', service: 'contacts' }]),
        ...outcome.eventIds.map((eventId) => ({ eventId, type: 'crm.consent.v1.SubjectRequestCompleted', service: 'consent' })),
      ],
      consentRecords,
    };
    await this.outputs.saveReceipt(request.requestId, request.contactId, receipt, this.clock());
    return { ...outcome, receipt };
  }

  async #consents(contactId: string, withHistory: boolean): Promise<PackageConsents> {
    const view = await this.consentViews.execute(contactId);
    return { consents: view.consents, objections: view.objections, history: withHistory ? view.history : [] };
  }

  /** The notice in force (English first, else Polish), or null when none is published. */
  async #notice(): Promise<PackageNotice | null> {
    for (const lang of ['en', 'pl'] as const) {
      const state = (await this.notices.byLang(lang))?.state;
      try {
        const version = currentNotice(state, lang);
        const { controller, dpoContact, retention, recipients, processors, rights } = version.content;
        return {
          version: version.content.version,
          ...(version.contentSha256 === undefined ? {} : { contentSha256: version.contentSha256 }),
          controller,
          dpoContact,
          retention,
          recipients,
          processors,
          rights,
          ...(version.content.register === undefined ? {} : { register: version.content.register }),
        };
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'NOTICE_NOT_PUBLISHED_YET')) throw error;
      }
    }
    return null;
  }
}

const withWork = (work: string, reference: string | undefined): string => (reference === undefined ? work : `${work}; ${reference}`);
