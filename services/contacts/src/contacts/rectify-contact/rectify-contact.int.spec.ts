import { useContactsApp, WRITER } from '../../testing/contacts.fixture.js';

const { call, create } = useContactsApp();

describe('contacts: rectify', () => {
  it('rectifies only what changed, refuses a stale If-Match with 409, and removes a unit set to null', async () => {
    const { body: json } = await create('Rect');
    const ok = await call(
      'PATCH',
      `/v1/contacts/${json.id}`,
      WRITER,
      { purpose: 'customer-service', changes: { name: { family: 'Lee-Smith' }, notes: null } },
      { 'if-match': '"1"' },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
    expect(ok.body.data.name).toEqual({ given: 'AnnRect', family: 'Lee-Smith' });
    expect(ok.body.data.notes).toBeUndefined();

    const stale = await call(
      'PATCH',
      `/v1/contacts/${json.id}`,
      WRITER,
      { purpose: 'customer-service', changes: { birthDate: '1991-01-01' } },
      { 'if-match': '"1"' },
    );
    expect([stale.status, stale.body.code]).toEqual([409, 'STREAM_VERSION_CONFLICT']);
    expect((await call('GET', `/v1/contacts/${json.id}?purpose=customer-service`, WRITER)).body.data.birthDate).toBe('1990-02-03');
  });
});
