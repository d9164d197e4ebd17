import { uniqueName } from '@crm/testing';
import { useContactsApp, WRITER } from '../../testing/contacts.fixture.js';

const { call, create } = useContactsApp();

describe('contacts: search and list', () => {
  it('finds contacts by exact e-mail (normalised), phone and every name token, and not by a partial value', async () => {
    const marker = uniqueName('Srch').replace(/[^A-Za-z]/g, '');
    const { body: json } = await create(marker);
    const find = async (query: string) =>
      (await call('GET', `/v1/contacts?purpose=customer-service&${query}`, WRITER)).body.items.map((item: { id: string }) => item.id);

    expect(await find(`email=${encodeURIComponent(`  ANN.${marker.toUpperCase()}@EXAMPLE.COM `)}`)).toEqual([json.id]);
    expect(await find(`name=${encodeURIComponent(`lee ann${marker}`)}`)).toEqual([json.id]);
    expect(await find(`name=${encodeURIComponent(`ann${marker}`)}&phone=${encodeURIComponent('+49 151 2345 6789')}`)).toEqual([json.id]);
    expect(await find(`email=${encodeURIComponent(`ann.${marker.slice(0, 5)}@example.com`)}`)).toEqual([]);
    expect(await find(`name=${encodeURIComponent(`ann${marker} someone-else`)}`)).toEqual([]);
  });

  it('pages a listing by id without repeating or skipping', async () => {
    await Promise.all(['A', 'B', 'C'].map((m) => create(`Page${m}`)));
    const first = await call('GET', '/v1/contacts?purpose=analytics&limit=2', WRITER);
    const second = await call('GET', `/v1/contacts?purpose=analytics&limit=2&after=${first.body.next}`, WRITER);
    expect(first.body.items).toHaveLength(2);
    expect(second.body.items[0].id > first.body.items[1].id).toBe(true);
  });
});
