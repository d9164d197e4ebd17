import type { RegisterActivity, RegisterProcessor } from '../register/register.model.js';
import { noticeRegister } from './notice-register.js';
import { retentionInWords } from './read-notice/notice.html.js';

const activity = (id: string, status: 'draft' | 'approved', document: Partial<RegisterActivity['document']>): RegisterActivity => ({
  id,
  status,
  document: {
    name: id,
    purposes: [],
    legalBasis: 'contract',
    recipients: [],
    processorIds: [],
    thirdCountryTransfers: [],
    retentionPeriod: 'P1Y',
    ...document,
  },
});
const processor = (id: string, name: string, status: 'active' | 'suspended' | 'terminated' = 'active', parentProcessorId?: string): RegisterProcessor => ({
  id,
  document: { name, country: 'DE', status, ...(parentProcessorId === undefined ? {} : { parentProcessorId }) },
});

describe('a notice from the register', () => {
  it('given approved activities, then each purpose states their retention, recipients, processors and transfers, without repeats', () => {
    const register = noticeRegister(
      ['customer-service', 'billing'],
      [
        activity('b', 'approved', {
          name: 'Support',
          purposes: ['customer-service'],
          recipients: ['support staff', 'couriers'],
          retentionPeriod: 'P6Y',
          retentionNote: 'after the contract',
          processorIds: ['p1'],
          thirdCountryTransfers: [{ country: 'US', recipient: 'Cloud Inc', safeguard: 'standard-contractual-clauses' }],
        }),
        activity('a', 'approved', {
          name: 'Deliveries',
          purposes: ['customer-service', 'billing'],
          recipients: ['couriers'],
          retentionPeriod: 'P6Y',
          processorIds: ['p1'],
        }),
      ],
      [processor('p1', 'Mail Co'), processor('p2', 'Cloud Inc', 'active', 'p1')],
    );
    expect(register.purposes[0]).toEqual({
      code: 'customer-service',
      declared: true,
      retention: [{ period: 'P6Y' }, { period: 'P6Y', note: 'after the contract' }],
      recipients: ['couriers', 'support staff'],
      processors: ['Mail Co', 'Cloud Inc'],
      transfers: [{ country: 'US', recipient: 'Cloud Inc', safeguard: 'standard-contractual-clauses' }],
    });
    expect(register.purposes[1]).toMatchObject({ code: 'billing', declared: true, recipients: ['couriers'] });
    expect(register.processors).toEqual([
      { name: 'Cloud Inc', country: 'DE' },
      { name: 'Mail Co', country: 'DE' },
    ]);
  });

  it('given only a draft for a purpose, then the purpose is not declared: a draft nobody approved says nothing for the controller', () => {
    const register = noticeRegister(['marketing'], [activity('d', 'draft', { purposes: ['marketing'], recipients: ['marketing staff'] })], []);
    expect(register.purposes).toEqual([{ code: 'marketing', declared: false, retention: [], recipients: [], processors: [], transfers: [] }]);
  });

  it('given a suspended or terminated processor, then it is not named', () => {
    const register = noticeRegister(
      ['sales'],
      [activity('a', 'approved', { purposes: ['sales'], processorIds: ['p1', 'p2'] })],
      [processor('p1', 'Old Co', 'terminated'), processor('p2', 'Paused Co', 'suspended')],
    );
    expect([register.purposes[0]?.processors, register.processors]).toEqual([[], []]);
  });

  it('given a retention period, then it reads in words in the notice language', () => {
    expect(['P6Y', 'P1Y6M', 'P2W', 'P1D', 'until-withdrawal'].map((period) => retentionInWords(period, 'en'))).toEqual([
      '6 years',
      '1 year 6 months',
      '2 weeks',
      '1 day',
      'until you withdraw your consent',
    ]);
    expect(['P1Y', 'P2Y', 'P5Y', 'P12Y', 'P22Y', 'P3M', 'until-withdrawal'].map((period) => retentionInWords(period, 'pl'))).toEqual([
      '1 rok',
      '2 lata',
      '5 lat',
      '12 lat',
      '22 lata',
      '3 miesiące',
      'do czasu wycofania zgody',
    ]);
  });
});
