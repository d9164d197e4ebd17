// Test-only: a language's privacy-notice history and given/when/then over one decision, for the decisions' unit specs.
import { givenHistory } from '@crm/testing';
import { PURPOSES } from '../purposes/purpose.catalogue.js';
import { noticeRegister, type NoticeRegister } from '../notices/notice-register.js';
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

/** A register with one approved activity (marketing, on a processor) and one draft (sales), as consent learnt it. */
export const register: NoticeRegister = noticeRegister(
  PURPOSES.map((purpose) => purpose.code),
  [
    {
      id: '00000000-0000-4000-8000-00000000000a',
      status: 'approved',
      document: {
        name: 'Direct marketing',
        purposes: ['marketing'],
        legalBasis: 'consent',
        recipients: ['marketing staff'],
        processorIds: ['00000000-0000-4000-8000-0000000000b1'],
        thirdCountryTransfers: [],
        retentionPeriod: 'until-withdrawal',
      },
    },
    {
      id: '00000000-0000-4000-8000-00000000000b',
      status: 'draft',
      document: {
        name: 'Sales',
        purposes: ['sales'],
        legalBasis: 'contract',
        recipients: ['sales staff'],
        processorIds: [],
        thirdCountryTransfers: [],
        retentionPeriod: 'P6Y',
      },
    },
  ],
  [{ id: '00000000-0000-4000-8000-0000000000b1', document: { name: 'Mail Co', country: 'DE', status: 'active' } }],
);

/** `given(...history).when(command)` → the decided events, or `.refuses(command)` → the AppError thrown. */
export const givenNoticesOf = <C extends NoticeCommand>(decide: (command: C, state: NoticeState) => NoticeEvent[]) => givenHistory(noticeDecider, decide);
