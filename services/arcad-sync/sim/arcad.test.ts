import { describe, expect, it } from 'vitest';
import { createArcadSimulator } from './arcad.ts';

const TOKEN = 'sim-test-token';
const base = '/api/v1/tenants/t1';

function simulator() {
  const sim = createArcadSimulator({ apiToken: TOKEN, tenants: ['t1'] });
  const call = async (method: string, path: string, body?: unknown, token = TOKEN) => {
    const res = await sim.app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { id: string } };
  };
  return { sim, call };
}

const user = {
  externalId: 'u1',
  login: 'jdupont',
  lastName: 'Dupont',
  firstName: 'Jeanne',
  postcode: '99999',
  city: 'LIVIA',
  email: '',
  profile: 'AUTRE_UTILISATEUR_METIER',
  temporaryPassword: 'Tmp-12345678!',
};

describe('ARCAD360 simulator: the rules that make the flows necessary', () => {
  it('refuses a user with both an e-mail and a temporary password, naming the field', async () => {
    const { call } = simulator();
    const res = await call('POST', `${base}/users`, { ...user, email: 'j@example.org' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { field: 'email', message: expect.stringMatching(/temporary password/) },
    ]);
    expect((await call('POST', `${base}/users`, user)).status).toBe(201);
  });

  it('refuses an empty postcode or city, and a postcode that is not 5 digits', async () => {
    const { call } = simulator();
    expect((await call('POST', `${base}/users`, { ...user, postcode: '' })).body.errors).toEqual([
      { field: 'postcode', message: 'required' },
    ]);
    expect((await call('POST', `${base}/users`, { ...user, postcode: '2500' })).status).toBe(422);
    const client = {
      lastName: 'A',
      firstName: 'B',
      birthDate: '1930-01-01',
      postcode: '25000',
      active: false,
    };
    expect((await call('POST', `${base}/clients`, { ...client, city: ' ' })).body.errors).toEqual([
      { field: 'city', message: 'required' },
    ]);
  });

  it('refuses a login twice, a service of an unknown legal entity, a record of an unknown client', async () => {
    const { call } = simulator();
    await call('POST', `${base}/users`, user);
    expect((await call('POST', `${base}/users`, { ...user, externalId: 'u2' })).status).toBe(409);
    expect(
      (await call('POST', `${base}/services`, { name: 'EHPAD', legalEntityId: 'LE404', code: '' })).body
        .errors,
    ).toEqual([{ field: 'legalEntityId', message: 'unknown legal entity' }]);
    expect((await call('POST', `${base}/records`, { clientId: 'nope', serviceId: 'nope' })).status).toBe(422);
  });

  it('finds what was created by its external id, lists a legal entity services, and searches', async () => {
    const { call } = simulator();
    const entity = await call('POST', `${base}/legal-entities`, {
      externalId: 'e1',
      name: 'Les Tilleuls',
      postcode: '25000',
      city: 'Besançon',
    });
    const service = await call('POST', `${base}/services`, {
      externalId: 'a1',
      name: 'EHPAD',
      legalEntityId: entity.body.id,
      code: 'EH',
    });
    expect((await call('GET', `${base}/legal-entities?externalId=e1`)).body).toMatchObject({
      items: [{ id: entity.body.id }],
      total: 1,
    });
    expect((await call('GET', `${base}/legal-entities/${entity.body.id}/services`)).body).toMatchObject({
      items: [{ id: service.body.id }],
    });
    await call('POST', `${base}/partners`, { externalId: 'i1', lastName: 'Robbie', profession: 'kiné' });
    expect((await call('GET', `${base}/search?q=robbie`)).body).toMatchObject({
      items: [{ kind: 'partners', lastName: 'Robbie' }],
    });
  });

  it('answers 401 without its token and 404 for an unknown tenant', async () => {
    const { call } = simulator();
    expect((await call('GET', `${base}/users`, undefined, 'wrong')).status).toBe(401);
    expect((await call('GET', '/api/v1/tenants/nobody')).status).toBe(404);
    expect((await call('GET', base)).status).toBe(200);
  });

  it('injects faults: a 5xx a given number of times, a rejected field, a creation whose answer is lost', async () => {
    const { sim, call } = simulator();
    sim.addFault({ collection: 'users', mode: 'error5xx', times: 1 });
    expect((await call('POST', `${base}/users`, user)).status).toBe(500);
    sim.addFault({ collection: 'users', externalId: 'u1', mode: 'reject', field: 'lastName', times: 1 });
    expect((await call('POST', `${base}/users`, user)).body.errors).toEqual([
      { field: 'lastName', message: expect.any(String) },
    ]);
    expect(sim.counters('t1').users).toBe(0);
    sim.addFault({ collection: 'users', externalId: 'u1', mode: 'lose-response', times: 1 });
    expect((await call('POST', `${base}/users`, user)).status).toBe(504);
    expect(sim.counters('t1').users).toBe(1);
    expect((await call('GET', `${base}/users?externalId=u1`)).body.total).toBe(1);
  });
});
