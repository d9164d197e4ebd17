// Test-only: the consent service as the platform builds it (global guard, real Postgres, Redis, Kafka and key vault),
// driven over HTTP with real ES256 tokens, on a clock the test sets. The end-to-end suite covers the same journeys
// through the gateway.
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import type { Permission } from '@crm/auth';
import { ActorType, ContactCreatedSchema, ContactErasedSchema, EventEnvelopeSchema, LegalBasis, toBinary } from '@crm/contracts';
import type { SubjectShredder } from '@crm/crypto';
import { createLogger } from '@crm/logging';
import { migrateAll } from '@crm/migrations';
import { CLOCK, createServiceApp, SUBJECT_SHREDDER } from '@crm/platform';
import { expectEventually, request, testPlatformConfig, TestTokenIssuer, uniqueName, type Reply } from '@crm/testing';
import { createEnvelope, envelopeHeaders, protoEvent, uuidv7 } from '@crm/eventstore';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { AppModule } from '../app.module.js';
import { CONTACTS_TOPIC } from '../known-contacts/known-contacts.projection.js';
import { KnownContacts } from '../known-contacts/known-contacts.repository.js';
import { databaseMigrations } from '../migrations.js';

export const WRITER: Permission[] = ['consent:read', 'consent:write'];
export const READER: Permission[] = ['consent:read'];
/** A DPO's permission to draft and publish privacy notices (publication also needs a fresh second factor). */
export const PUBLISHER: Permission[] = ['notices:publish'];
/** A DPO's permission to work data-subject requests (the writes and the detail also need a fresh second factor). */
export const DPO: Permission[] = ['requests:manage'];

/** The DPO's texts of a notice draft, with a marker in each so a test can find or miss them. */
export const noticeTexts = (lang: string, marker = 'N') => ({
  lang,
  controller: `Example Sp. z o.o., ul. Prosta 1, 00-001 Warszawa (${marker})`,
  dpoContact: `iod@example.com (${marker})`,
  retention: `Contract data: 6 years after the contract ends; marketing: until consent is withdrawn (${marker})`,
  recipients: `Couriers and payment providers (${marker})`,
  processors: `Hosting provider in the EEA (${marker})`,
  rights: `Access, rectification, erasure, restriction, portability, objection: write to iod@example.com (${marker})`,
});

/** A published privacy-notice version: what consents are given against. */
export interface PublishedNotice {
  version: string;
  contentSha256: string;
}

/** The time the service reads (its injected CLOCK); a test moves it with `clock.set(...)`. */
export const clock = {
  now: new Date('2026-12-01T09:00:00.000Z'),
  set(iso: string): void {
    this.now = new Date(iso);
  },
};

@Module({ providers: [{ provide: CLOCK, useValue: () => new Date(clock.now) }], exports: [CLOCK] })
class PinnedClockModule {}

/**
 * The service's modules with the pinned clock imported into the consent module itself: Nest looks a provider up in a
 * module's own imports before the global ones, so the consent module's `CLOCK` is this one, not the platform's
 * system clock (which stays global for everything else, as in production).
 */
function withPinnedClock(root: DynamicModule): DynamicModule {
  const [consentModule] = root.imports as DynamicModule[];
  consentModule!.imports = [PinnedClockModule, ...(consentModule!.imports ?? [])];
  return root;
}

/** A well-formed evidence whose reference is the marker, so a test can look for it where it must not be. */
export const evidence = (marker: string) => ({ kind: 'form', reference: `form-${marker}` });

export interface ConsentTestApp {
  readonly app: INestApplication;
  readonly url: string;
  /** The user every call acts as, unless it names another. */
  readonly actor: string;
  call(method: string, path: string, perms: readonly Permission[], body?: unknown, sub?: string): Promise<Reply>;
  /** A call with a second factor this many seconds old (a step-up route needs it recent). */
  /** A session without any second factor (password only). */
  callPasswordOnly(method: string, path: string, perms: readonly Permission[]): Promise<Reply>;
  callWithMfa(method: string, path: string, perms: readonly Permission[], mfaAgeSeconds: number, body?: unknown): Promise<Reply>;
  /** An anonymous call (no token), with these headers. */
  anonymous(method: string, path: string, headers?: Record<string, string>): Promise<Reply>;
  /** Drafts and publishes a notice in `lang` as a DPO with a fresh second factor. */
  publishNotice(lang: string, marker?: string): Promise<PublishedNotice>;
  /** The English notice published when the app started: the one `give` consents against. */
  readonly notice: PublishedNotice;
  /**
   * A contact the service knows: its creation published on contacts' topic as contacts publishes it, and awaited
   * until the known-contacts projector has it (polling, never sleeping).
   */
  knownContact(): Promise<string>;
  /**
   * Erases a contact as contacts does: its key shredded, then `ContactErased` published on contacts' topic (the
   * known-contacts projector reduces its consent state to the pseudonymous proof when it applies it).
   */
  eraseContact(contactId: string): Promise<void>;
  /** `POST /v1/contacts/{id}/consents` for marketing against `notice`, with `evidence(marker)`. */
  give(contactId: string, marker: string, purpose?: string): Promise<Reply>;
}

/** A fresh contact id that no contact has: consent refuses to record anything for it (see `knownContact`). */
export const newContactId = (): string => uuidv7();

/** Starts the service before the spec file's tests and stops it after them. */
export function useConsentApp(): ConsentTestApp {
  const config = testPlatformConfig('consent');
  const actor = uniqueName('user-it');
  let app: INestApplication | undefined;
  let url = '';
  let issuer: TestTokenIssuer | undefined;
  let notice: PublishedNotice | undefined;

  beforeAll(async () => {
    // Each app its own BullMQ keys on the shared test Redis, so no other app's worker (on another clock) takes its jobs.
    process.env.CRM_REQUEST_JOBS_PREFIX = uniqueName('crm-it');
    // The test database's consent schema and the key vault, migrated as `npm run migrate` migrates the real ones.
    await migrateAll(config.postgres!, databaseMigrations(config));
    const tokens = await TestTokenIssuer.create();
    issuer = tokens;
    app = await createServiceApp(
      {
        service: 'consent',
        defaultPort: 0,
        needs: { postgres: true, redis: true, kafka: 'primary' },
        module: (c) => withPinnedClock(AppModule.register(c)),
        verificationKeys: () => async () => tokens.jwks(),
      },
      config,
      createLogger({ service: 'consent', level: process.env.CRM_IT_LOG_LEVEL ?? 'silent' }),
    );
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    notice = await publishNotice('en');
  });
  afterAll(async () => {
    await app?.close();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the consent app is not started: use it inside a test');
    return value;
  };
  const call: ConsentTestApp['call'] = async (method, path, perms, body, sub = actor) => {
    const token = await started(issuer).token({ sub, perms });
    return request(method, path, token, body, {}, url);
  };
  const callWithMfa: ConsentTestApp['callWithMfa'] = async (method, path, perms, mfaAgeSeconds, body) => {
    const token = await started(issuer).token({ sub: actor, perms, mfaAgeSeconds });
    return request(method, path, token, body, {}, url);
  };
  const callPasswordOnly: ConsentTestApp['callPasswordOnly'] = async (method, path, perms) => {
    const token = await started(issuer).token({ sub: actor, perms, passwordOnly: true });
    return request(method, path, token, undefined, {}, url);
  };
  const anonymous: ConsentTestApp['anonymous'] = async (method, path, headers = {}) => {
    const response = await fetch(`${url}${path}`, { method, headers });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text, headers: response.headers } as Reply;
  };
  async function publishNotice(lang: string, marker = 'N'): Promise<PublishedNotice> {
    const draft = await callWithMfa('POST', '/v1/privacy-notices', PUBLISHER, 10, noticeTexts(lang, marker));
    if (draft.status !== 201) throw new Error(`drafting a notice failed: ${draft.status} ${draft.text}`);
    const published = await callWithMfa('POST', `/v1/privacy-notices/${draft.body.version}/publication`, PUBLISHER, 10);
    if (published.status !== 200) throw new Error(`publishing a notice failed: ${published.status} ${published.text}`);
    return { version: published.body.version as string, contentSha256: published.body.contentSha256 as string };
  }
  async function publishContactEvent(contactId: string, version: bigint, event: ReturnType<typeof protoEvent>): Promise<void> {
    const metadata = { actor: { id: 'contacts-it', type: ActorType.USER }, purpose: 'sales', legalBasis: LegalBasis.CONTRACT, correlationId: uniqueName('c') };
    const envelope = createEnvelope(`contact-${contactId}`, version, event, metadata, new Date());
    const kafka = started(app).get<KafkaCluster>(KAFKA_PRIMARY, { strict: false });
    await kafka.publish(CONTACTS_TOPIC, [
      { key: contactId, value: toBinary(EventEnvelopeSchema, envelope), headers: envelopeHeaders(envelope.eventType, envelope.eventId) },
    ]);
  }
  async function eraseContact(contactId: string): Promise<void> {
    await started(app).get<SubjectShredder>(SUBJECT_SHREDDER, { strict: false }).shredSubject(contactId, 'ERASURE_REQUEST');
    await publishContactEvent(contactId, 2n, protoEvent(ContactErasedSchema, { contactId }, contactId));
  }
  async function knownContact(): Promise<string> {
    const contactId = newContactId();
    await publishContactEvent(contactId, 1n, protoEvent(ContactCreatedSchema, { contactId }, contactId));
    const known = started(app).get(KnownContacts, { strict: false });
    await expectEventually(async () => expect(await known.has(contactId)).toBe(true), { timeoutMs: 30_000, intervalMs: 50 });
    return contactId;
  }
  return {
    get app() {
      return started(app);
    },
    get url() {
      return url;
    },
    actor,
    call,
    callWithMfa,
    callPasswordOnly,
    anonymous,
    publishNotice,
    knownContact,
    eraseContact,
    get notice() {
      return started(notice);
    },
    give: (contactId, marker, purpose = 'marketing') =>
      call('POST', `/v1/contacts/${contactId}/consents`, WRITER, {
        purpose,
        noticeVersion: started(notice).version,
        channel: 'web-form',
        evidence: evidence(marker),
      }),
  };
}
