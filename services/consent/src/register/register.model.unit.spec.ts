import { noticeRegister } from '../notices/notice-register.js';
import { registerActivity } from './register.model.js';

describe('registerActivity', () => {
  it('given a document without its lists (a shorter one than audit records today), when read, then they are empty and a notice can be drafted from it', () => {
    const activity = registerActivity({
      id: 'a1',
      status: 'approved',
      document: { name: 'Serving customers', purposes: ['customer-service'], legalBasis: 'contract', retentionPeriod: 'P6Y' },
    });
    expect(activity.document).toEqual({
      name: 'Serving customers',
      purposes: ['customer-service'],
      legalBasis: 'contract',
      recipients: [],
      processorIds: [],
      thirdCountryTransfers: [],
      retentionPeriod: 'P6Y',
    });
    expect(noticeRegister(['customer-service'], [activity], []).purposes).toEqual([
      { code: 'customer-service', declared: true, retention: [{ period: 'P6Y' }], recipients: [], processors: [], transfers: [] },
    ]);
  });

  it('given lists holding something else than text, when read, then only the text is kept', () => {
    const activity = registerActivity({ id: 'a2', status: 'draft', document: { purposes: ['marketing', 7, null], recipients: 'staff', retentionNote: 'n' } });
    expect(activity.document).toMatchObject({ purposes: ['marketing'], recipients: [], retentionNote: 'n' });
  });
});
