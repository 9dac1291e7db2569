// openapi-fetch names its methods after the HTTP verbs (client.GET, client.POST).
/* eslint-disable new-cap */
import { createLadderApiClient } from './client';

describe('createLadderApiClient', () => {
  const sent: Array<{ url: string; init: RequestInit }> = [];
  const client = createLadderApiClient({
    baseUrl: async () => 'http://portal.example/api/ladder/',
    fetch: async (url, init) => {
      sent.push({ url, init });
      if (url.includes('/promotions/missing'))
        throw new Error('404 from the backend');
      return new Response(JSON.stringify({ items: [] }), {
        headers: { 'content-type': 'application/json' },
      });
    },
  });
  beforeEach(() => sent.splice(0));

  it('addresses each request to the base URL asked for then, with the query the contract names', async () => {
    const { data } = await client.GET('/promotions', {
      params: {
        query: { entityRef: 'component:default/orders-api', limit: 5 },
      },
    });
    expect(data).toEqual({ items: [] });
    const url = new URL(sent[0].url);
    expect(`${url.origin}${url.pathname}`).toBe(
      'http://portal.example/api/ladder/promotions',
    );
    expect(url.searchParams.get('entityRef')).toBe(
      'component:default/orders-api',
    );
    expect(url.searchParams.get('limit')).toBe('5');
    expect(sent[0].init.method).toBe('GET');
    expect(sent[0].init.body).toBeUndefined();
  });

  it('sends a JSON body and the headers given, e.g. an Idempotency-Key', async () => {
    await client.POST('/promotions', {
      params: { header: { 'Idempotency-Key': 'FAKE-key-1' } },
      body: {
        entityRef: 'component:default/orders-api',
        toRung: 'dev',
        ref: 'a1b2c3d',
      },
    });
    expect(sent[0].url).toBe('http://portal.example/api/ladder/promotions');
    expect(JSON.parse(String(sent[0].init.body))).toEqual({
      entityRef: 'component:default/orders-api',
      toRung: 'dev',
      ref: 'a1b2c3d',
    });
    const headers = sent[0].init.headers as Record<string, string>;
    expect(headers['idempotency-key']).toBe('FAKE-key-1');
    expect(headers['content-type']).toBe('application/json');
  });

  it("passes on the fetch's own error, as the caller's fetch reports failures", async () => {
    await expect(
      client.GET('/promotions/{id}', { params: { path: { id: 'missing' } } }),
    ).rejects.toThrow('404 from the backend');
  });
});
