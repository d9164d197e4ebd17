// Test-only: a language's privacy-notice history and given/when/then over one decision, for the decisions' unit specs.
import { givenHistory } from '@crm/testing';
import { noticeDecider, type NoticeCommand, type NoticeEvent, type NoticeState, type NoticeTexts } from '../notices/notice.decider.js';

export const dpoId = 'dpo-1';
export const draftedAt = '2026-12-01T09:00:00.000Z';
export const publishedAt = '2026-12-01T10:00:00.000Z';

export const texts: NoticeTexts = {
  controller: 'Example Sp. z o.o., ul. Prosta 1, 00-001 Warszawa',
  dpoContact: 'iod@example.com',
  retention: 'Contract data: 6 years after the contract ends',
  recipients: 'Couriers and payment providers',
  processors: 'Hosting provider in the EEA',
  rights: 'Access, rectification, erasure: write to iod@example.com',
};

/** `given(...history).when(command)` → the decided events, or `.refuses(command)` → the AppError thrown. */
export const givenNoticesOf = <C extends NoticeCommand>(decide: (command: C, state: NoticeState) => NoticeEvent[]) => givenHistory(noticeDecider, decide);
