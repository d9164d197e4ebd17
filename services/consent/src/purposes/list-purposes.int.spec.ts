import { READER, useConsentApp } from '../testing/consent.fixture.js';
import { PURPOSE_CATALOGUE_VERSION, PURPOSES } from './purpose.catalogue.js';

const { call } = useConsentApp();

describe('consent: the purpose catalogue', () => {
  it('answers every purpose with its lawful bases, and the catalogue version, to consent:read only', async () => {
    const catalogue = await call('GET', '/v1/purposes', READER);
    expect(catalogue.status).toBe(200);
    expect(catalogue.body.version).toBe(PURPOSE_CATALOGUE_VERSION);
    expect(catalogue.body.purposes).toEqual(JSON.parse(JSON.stringify(PURPOSES)));
    expect(catalogue.body.purposes.find((purpose: { code: string }) => purpose.code === 'marketing')).toMatchObject({
      lawfulBasis: 'consent',
      lawfulBases: ['consent', 'legitimate-interests'],
      objection: 'absolute',
    });
    expect((await call('GET', '/v1/purposes', ['contacts:read'])).status).toBe(403);
  });
});
