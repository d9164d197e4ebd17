// The deadline jobs on the real Redis (BullMQ) and the real write path: the job scheduler the service upserts at start
// produces sweeps on its own, and a sweep marks a request past its due date (by the injected clock) as overdue and
// reminds of one due soon. Nothing sleeps: the test moves the clock and polls until the scheduled job has run.
import { ActorType, type EventEnvelope } from '@crm/contracts';
import type { EventStore } from '@crm/eventstore';
import { EVENT_STORE } from '@crm/platform';
import { expectEventually } from '@crm/testing';
import { clock, DPO, useConsentApp } from '../../testing/consent.fixture.js';
import { DEADLINE_JOB_ACTOR } from '../request.http.js';
import { requestStream } from '../request.streams.js';
import { DEADLINE_SCHEDULER, RequestDeadlineJobs } from './request-deadline.jobs.js';

// A fast scheduler for this app only (its own BullMQ prefix comes from the fixture).
process.env.CRM_REQUEST_DEADLINES_EVERY_MS = '200';

const consent = useConsentApp();
const store = () => consent.app.get<EventStore>(EVENT_STORE);
const dpo = (method: string, path: string, body?: unknown) => consent.callWithMfa(method, path, DPO, 10, body);
const eventTypes = async (id: string): Promise<string[]> => (await store().readStream(requestStream(id))).map((event) => event.envelope.eventType);
const lastEnvelope = async (id: string): Promise<EventEnvelope> => (await store().readStream(requestStream(id))).at(-1)!.envelope;

afterAll(() => {
  delete process.env.CRM_REQUEST_DEADLINES_EVERY_MS;
});

describe('the request deadline jobs (BullMQ)', () => {
  it('runs as a job scheduler on the platform Redis', async () => {
    const scheduler = await consent.app.get(RequestDeadlineJobs).queue.getJobScheduler(DEADLINE_SCHEDULER);
    expect(scheduler).toMatchObject({ key: DEADLINE_SCHEDULER, every: 200, name: 'sweep' });
  });

  it('reminds of a request due soon, then marks it overdue once its due date has passed, once each, as the service', async () => {
    clock.set('2031-05-02T08:00:00.000Z');
    const filed = await dpo('POST', '/v1/requests', {
      type: 'erasure',
      contactId: await consent.knownContact(),
      channel: 'paper',
      receivedAt: '2031-05-01T08:00:00.000Z',
    });
    expect([filed.status, filed.body.dueAt]).toEqual([201, '2031-06-01T23:59:59.999Z']);
    const id = filed.body.requestId as string;
    const closed = await dpo('POST', '/v1/requests', {
      type: 'access',
      contactId: await consent.knownContact(),
      channel: 'email',
      receivedAt: '2031-05-01T08:00:00.000Z',
    });
    await dpo('POST', `/v1/requests/${closed.body.requestId}/refusal`, { reason: 'identity not established' });

    // Not due soon yet: a sweep decides nothing about it.
    const jobs = consent.app.get(RequestDeadlineJobs);
    await jobs.sweep('probe');
    expect(await eventTypes(id)).toEqual(['crm.consent.v1.SubjectRequestFiled']);

    clock.set('2031-05-28T00:00:00.000Z');
    await expectEventually(async () => expect(await eventTypes(id)).toEqual(['crm.consent.v1.SubjectRequestFiled', 'crm.consent.v1.SubjectRequestDueSoon']), {
      timeoutMs: 30_000,
    });

    clock.set('2031-06-02T00:00:00.000Z');
    await expectEventually(
      async () => {
        const request = await dpo('GET', `/v1/requests/${id}`);
        expect(request.body).toMatchObject({ status: 'received', overdue: true, overdueMarkedAt: '2031-06-02T00:00:00.000Z' });
      },
      { timeoutMs: 30_000 },
    );
    const marked = await lastEnvelope(id);
    expect(marked.eventType).toBe('crm.consent.v1.SubjectRequestOverdue');
    expect([marked.actor?.id, marked.actor?.type]).toEqual([DEADLINE_JOB_ACTOR, ActorType.SERVICE]);

    // Later sweeps decide nothing more: the request is marked once, the refused one never.
    await jobs.sweep('probe');
    expect(await eventTypes(id)).toHaveLength(3);
    expect(await eventTypes(closed.body.requestId)).toHaveLength(2);
  });
});
