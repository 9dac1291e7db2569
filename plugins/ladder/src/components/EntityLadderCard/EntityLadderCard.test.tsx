import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import { ladderApiRef } from '../../api';
import { enrolledEntity, entityLadder, plainEntity } from '../../__testUtils__/fixtures';
import { mockLadderApi } from '../../__testUtils__/mockLadderApi';
import { EntityLadderCard } from './EntityLadderCard';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

async function responseError(status: number, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({ error: { name: 'NotFoundError', message }, response: { statusCode: status } }),
      { status, statusText: 'Not Found', headers: { 'content-type': 'application/json' } },
    ),
  );
}

describe('EntityLadderCard', () => {
  it('shows the rungs in order with ref, status and the next step', async () => {
    const api = mockLadderApi();
    await renderInTestApp(
      <TestApiProvider apis={[[ladderApiRef, api]]}>
        <EntityProvider entity={enrolledEntity}>
          <EntityLadderCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes },
    );
    expect(await screen.findByText('Shared dev')).toBeInTheDocument();
    const items = screen.getAllByRole('listitem');
    expect(items.map(i => i.getAttribute('data-testid'))).toEqual(
      entityLadder.rungs.map(r => `rung-${r.rung.id}`),
    );
    expect(items[0]).toHaveAccessibleName(/Local, Proven, ref a1b2c3d, placed 3 days ago/);
    expect(screen.getByText('⚠ Drifted')).toBeInTheDocument();
    expect(items[2]).toHaveAccessibleName(/Shared dev, Drifted, ref 9f8e7d6, .*runs 1234567, ladder expects 9f8e7d6, since 3 days ago/);
    expect(screen.getByTestId('rung-dev-drift')).toHaveTextContent('runs 1234567, ladder expects 9f8e7d6, since 3 days ago');
    expect(screen.getByText(entityLadder.next.summary)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /open the ladder tab/i })).toHaveAttribute(
      'href',
      '/catalog/default/component/orders-api/ladder',
    );
    expect(screen.getByRole('region', { name: 'Ladder' })).toBeInTheDocument();
    expect(api.getEntityLadder).toHaveBeenCalledWith('component:default/orders-api');
  });

  it('bypass: a rung without proof checks is shown unverified, never proven', async () => {
    const unverified = {
      ...entityLadder,
      rungs: entityLadder.rungs.map((r, i) =>
        i === 0
          ? {
              ...r,
              proof: [],
              status: 'unverified' as const,
              statusReason: 'a1b2c3d is placed, but this rung has no proof checks: nothing observed that it works',
            }
          : r,
      ),
    };
    const api = mockLadderApi({ getEntityLadder: jest.fn().mockResolvedValue(unverified) });
    await renderInTestApp(
      <TestApiProvider apis={[[ladderApiRef, api]]}>
        <EntityProvider entity={enrolledEntity}>
          <EntityLadderCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes },
    );
    expect(await screen.findByText('Shared dev')).toBeInTheDocument();
    const [local] = screen.getAllByRole('listitem');
    expect(local).toHaveAccessibleName(/Local, Unverified, ref a1b2c3d/);
    expect(local).not.toHaveAccessibleName(/Proven/);
  });

  it('explains how to enroll an entity without the annotation', async () => {
    const api = mockLadderApi();
    await renderInTestApp(
      <TestApiProvider apis={[[ladderApiRef, api]]}>
        <EntityProvider entity={plainEntity}>
          <EntityLadderCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes },
    );
    expect(screen.getByText(/not on a ladder yet/)).toBeInTheDocument();
    expect(screen.getAllByText(/khal.ai\/ladder/).length).toBeGreaterThan(0);
    expect(api.getEntityLadder).not.toHaveBeenCalled();
  });

  it('shows the backend message verbatim when the ladder cannot be loaded', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockRejectedValue(await responseError(500, 'the ladder store is unavailable')),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[ladderApiRef, api]]}>
        <EntityProvider entity={enrolledEntity}>
          <EntityLadderCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes },
    );
    expect(await screen.findByRole('alert')).toHaveTextContent('the ladder store is unavailable');
    expect(screen.getByRole('button', { name: /try again/i })).toBeInTheDocument();
  });

  it('treats a 404 as not enrolled, with the backend reason', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockRejectedValue(await responseError(404, 'ladder "nope" is not configured')),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[ladderApiRef, api]]}>
        <EntityProvider entity={enrolledEntity}>
          <EntityLadderCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes },
    );
    expect(await screen.findByText('ladder "nope" is not configured')).toBeInTheDocument();
  });
});
