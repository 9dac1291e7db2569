import { ResponseError } from '@backstage/errors';
import { LadderClient } from './LadderClient';
import { PlanUnresolvedError } from './PlanUnresolvedError';
import {
  changes,
  entityLadder,
  openPromotion,
  overview,
} from '../__testUtils__/fixtures';

function json(status: number, body: unknown, statusText = 'OK') {
  return new Response(JSON.stringify(body), {
    status,
    statusText,
    headers: { 'content-type': 'application/json' },
  });
}

function setup(response: Response) {
  const fetch = jest.fn().mockResolvedValue(response);
  const client = new LadderClient({
    discoveryApi: {
      getBaseUrl: jest.fn().mockResolvedValue('http://backend/api/ladder'),
    },
    fetchApi: { fetch },
  });
  return { client, fetch };
}

describe('LadderClient', () => {
  it('gets an entity ladder by kind/namespace/name and parses it', async () => {
    const { client, fetch } = setup(json(200, entityLadder));
    await expect(
      client.getEntityLadder('component:default/orders-api'),
    ).resolves.toEqual(entityLadder);
    expect(fetch).toHaveBeenCalledWith(
      'http://backend/api/ladder/entities/component/default/orders-api',
      expect.objectContaining({ method: 'GET' }),
    );
    fetch.mockResolvedValueOnce(json(200, entityLadder));
    await client.getEntityLadder('component:default/orders-api', {
      clusterState: 'live',
    });
    expect(fetch).toHaveBeenLastCalledWith(
      'http://backend/api/ladder/entities/component/default/orders-api?clusterState=live',
      expect.objectContaining({ method: 'GET' }),
    );
  });

  it('turns a failed response into a ResponseError carrying the server message', async () => {
    const { client } = setup(
      json(
        409,
        {
          error: {
            name: 'ConflictError',
            message: 'an open promotion to hml exists',
          },
          response: { statusCode: 409 },
        },
        'Conflict',
      ),
    );
    const error = await client.getPromotion('p-1').catch(e => e);
    expect(ResponseError.is(error)).toBe(true);
    expect((error as ResponseError).statusCode).toBe(409);
    expect((error as ResponseError).cause.message).toBe(
      'an open promotion to hml exists',
    );
  });

  it('asks for the changes between two rungs and between two refs, and parses them', async () => {
    const { client, fetch } = setup(json(200, changes));
    await expect(
      client.getChanges({
        entityRef: 'component:default/orders-api',
        from: 'hml',
        to: 'dev',
      }),
    ).resolves.toEqual(changes);
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backend/api/ladder/changes?entityRef=component%3Adefault%2Forders-api&from=hml&to=dev',
    );
    fetch.mockResolvedValueOnce(json(200, changes));
    await client.getChanges({
      entityRef: 'component:default/orders-api',
      fromRef: '9f8e7d6',
      toRef: 'a1b2c3d',
      target: 'hml',
    });
    expect(fetch.mock.calls[1][0]).toBe(
      'http://backend/api/ladder/changes?entityRef=component%3Adefault%2Forders-api&fromRef=9f8e7d6&toRef=a1b2c3d&target=hml',
    );
  });

  it('asks for a promotion’s changes', async () => {
    const { client, fetch } = setup(json(200, changes));
    await expect(client.getPromotionChanges('p 1')).resolves.toEqual(changes);
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backend/api/ladder/promotions/p%201/changes',
    );
  });

  it('sends the idempotency key and the body on create', async () => {
    const { client, fetch } = setup(json(201, openPromotion, 'Created'));
    await client.createPromotion(
      {
        entityRef: 'component:default/orders-api',
        toRung: 'hml',
        ref: 'a1b2c3d',
      },
      { idempotencyKey: 'k-1' },
    );
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('http://backend/api/ladder/promotions');
    expect(init.method).toBe('POST');
    expect(init.headers['idempotency-key']).toBe('k-1');
    expect(JSON.parse(init.body)).toEqual({
      entityRef: 'component:default/orders-api',
      toRung: 'hml',
      ref: 'a1b2c3d',
    });
  });

  it('posts decisions to the promotion approvals', async () => {
    const { client, fetch } = setup(json(200, openPromotion));
    await client.decide(
      'p-1',
      { decision: 'reject', comment: 'not yet' },
      { idempotencyKey: 'k-2' },
    );
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('http://backend/api/ladder/promotions/p-1/approvals');
    expect(JSON.parse(init.body)).toEqual({
      decision: 'reject',
      comment: 'not yet',
    });
  });

  it('puts overview filters and the cursor in the query string', async () => {
    const { client, fetch } = setup(json(200, overview));
    await client.getOverview({
      ladder: 'khal',
      q: 'orders',
      limit: 100,
      cursor: 'c2',
      owner: '',
    });
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backend/api/ladder/overview?ladder=khal&q=orders&limit=100&cursor=c2',
    );
  });

  it('surfaces the unresolved facts of a 422 plan', async () => {
    const { client } = setup(
      json(
        422,
        {
          error: {
            name: 'InputError',
            message: 'the deploy plan for hml cannot be resolved',
            unresolved: [
              {
                fact: 'cluster',
                howToConfigure: 'set kubernetes.cluster on rung hml',
              },
            ],
          },
          response: { statusCode: 422 },
        },
        'Unprocessable Entity',
      ),
    );
    const error = await client
      .getPlan({
        entityRef: 'component:default/orders-api',
        target: 'hml',
        ref: 'a1b2c3d',
      })
      .catch(e => e);
    expect(PlanUnresolvedError.is(error)).toBe(true);
    expect(error.message).toBe('the deploy plan for hml cannot be resolved');
    expect(error.unresolved).toEqual([
      { fact: 'cluster', howToConfigure: 'set kubernetes.cluster on rung hml' },
    ]);
    expect(ResponseError.is(error.cause)).toBe(true);
  });
});
