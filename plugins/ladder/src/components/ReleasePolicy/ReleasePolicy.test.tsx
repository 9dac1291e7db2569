import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BadCommit, LinePause } from '@khal/plugin-ladder-common';
import { ENTITY_REF, OLGA, SAM, enrolledEntity, entityLadder, overview } from '../../__testUtils__/fixtures';
import { mockLadderApi } from '../../__testUtils__/mockLadderApi';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityLadderContent } from '../EntityLadderContent';
import { LadderOverviewPage } from '../Overview';
import { EntityLadderCard } from '../EntityLadderCard';

jest.setTimeout(60_000);

const PLACED = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const pause = (partial: Partial<LinePause>): LinePause => ({
  id: 'pause-1',
  scope: 'rung',
  ladderId: 'khal',
  rungId: 'prod',
  entityRef: null,
  reason: 'cluster upgrade',
  pausedBy: OLGA,
  pausedAt: new Date(Date.now() - 3_600_000).toISOString(),
  resumedBy: null,
  resumedAt: null,
  resumeReason: null,
  ...partial,
});
const bad: BadCommit = {
  id: 'bad-1',
  entityRef: ENTITY_REF,
  sha: PLACED,
  reason: 'corrupts orders',
  markedBy: SAM,
  markedAt: new Date(Date.now() - 60_000).toISOString(),
};

describe('release policy on the Ladder tab', () => {
  it('shows a stopped line with its reason, who and since when, marks the rung, and resumes it', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue({ ...entityLadder, pauses: [pause({})], badCommits: [] }),
      resumeLine: jest.fn().mockResolvedValue(pause({ resumedBy: OLGA })),
    });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: OLGA });
    const banner = await screen.findByTestId('line-pause-banner');
    expect(banner).toHaveTextContent('Line stopped: Production (prod) of ladder khal is paused');
    expect(banner).toHaveTextContent(/“cluster upgrade” — paused by olga 1 hour ago/);
    expect(banner).toHaveTextContent('No promotion to it can be requested, approved, claimed or deployed');
    expect(within(screen.getByTestId('rung-details-prod')).getByText('paused: cluster upgrade')).toBeInTheDocument();
    const resume = within(banner).getByRole('button', { name: 'Resume' });
    await waitFor(() => expect(resume).toBeEnabled());
    await userEvent.click(resume);
    await waitFor(() => expect(api.resumeLine).toHaveBeenCalledWith('pause-1'));
  });

  it('disables resume and stopping the line without ladder.line.pause, saying why', async () => {
    const entity = { ...enrolledEntity, metadata: { ...enrolledEntity.metadata, name: 'no-pause-api' } };
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue({ ...entityLadder, pauses: [pause({})] }),
    });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity, user: SAM, deny: ['ladder.line.pause'] });
    const banner = await screen.findByTestId('line-pause-banner');
    await waitFor(() => expect(within(banner).getByRole('button', { name: 'Resume' })).toBeDisabled());
    expect(banner).toHaveTextContent('ask an operator');
    expect(screen.getByRole('button', { name: 'Stop the line' })).toBeDisabled();
    expect(screen.getByText('you lack permission ladder.line.pause')).toBeInTheDocument();
  });

  it('strikes a bad commit through with its reason, and marks a commit bad from the tab', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue({ ...entityLadder, pauses: [], badCommits: [bad] }),
      markBadCommit: jest.fn().mockResolvedValue({ ...bad, endedPromotions: [] }),
    });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    const list = await screen.findByTestId('bad-commits');
    expect(list).toHaveTextContent(/a1b2c3d — “corrupts orders”, marked by sam/);
    expect(list.querySelector('s')).toHaveTextContent('a1b2c3d');
    const local = screen.getByTestId('rung-details-local');
    expect(within(local).getAllByTestId(`bad-ref-${PLACED}`)[0]).toHaveTextContent('bad: corrupts orders');

    await userEvent.click(screen.getByRole('button', { name: 'Mark a commit bad' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText(/Commit/), 'abc');
    expect(within(dialog).getByText('the full 40-hex commit SHA, as the ladder shows it')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Mark bad' })).toBeDisabled();
    await userEvent.clear(within(dialog).getByLabelText(/Commit/));
    await userEvent.type(within(dialog).getByLabelText(/Commit/), 'b'.repeat(40));
    await userEvent.type(within(dialog).getByLabelText(/What is wrong/), 'leaks memory');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Mark bad' }));
    await waitFor(() =>
      expect(api.markBadCommit).toHaveBeenCalledWith({ entityRef: ENTITY_REF, sha: 'b'.repeat(40), reason: 'leaks memory' }),
    );
  });

  it('stops the line for this service from the tab', async () => {
    const api = mockLadderApi({ pauseLine: jest.fn().mockResolvedValue(pause({ scope: 'entity', entityRef: ENTITY_REF })) });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: OLGA });
    const stop = await screen.findByRole('button', { name: 'Stop the line' });
    await waitFor(() => expect(stop).toBeEnabled());
    await userEvent.click(stop);
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText(/Reason/), 'incident 42');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Pause' }));
    await waitFor(() =>
      expect(api.pauseLine).toHaveBeenCalledWith({ scope: 'entity', entityRef: ENTITY_REF, reason: 'incident 42' }),
    );
  });
});

describe('release policy on the entity card', () => {
  it('shows the stopped line on the Overview tab card too', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue({ ...entityLadder, pauses: [pause({ scope: 'entity', entityRef: ENTITY_REF, rungId: null, ladderId: null })] }),
    });
    await renderWithApis(<EntityLadderCard />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    expect(await screen.findByTestId('line-pause-banner')).toHaveTextContent(
      'Line stopped: component:default/orders-api is paused',
    );
  });
});

describe('freezes', () => {
  const freeze = { from: new Date(Date.now() - 60_000).toISOString(), to: '2099-01-04T12:00:00.000Z', reason: 'year-end freeze', scope: 'rung' as const };
  const frozenLadder = {
    ...overview.ladders[0],
    rungs: overview.ladders[0].rungs.map(r => (r.id === 'prod' ? { ...r, freezes: [freeze] } : r)),
  };

  it('marks a frozen rung on the overview with until when, and not a rung whose freeze is still ahead', async () => {
    const later = { ...freeze, from: '2098-01-01T00:00:00.000Z' };
    const api = mockLadderApi({
      getOverview: jest.fn().mockResolvedValue({
        ...overview,
        ladders: [{ ...frozenLadder, rungs: frozenLadder.rungs.map(r => (r.id === 'hml' ? { ...r, freezes: [later] } : r)) }],
      }),
    });
    await renderWithApis(<LadderOverviewPage />, { ladderApi: api });
    const prod = await screen.findByTestId('overview-rung-khal-prod');
    expect(prod).toHaveTextContent(/❄ frozen until/);
    expect(within(prod).getByTestId('overview-rung-frozen')).toHaveAttribute('title', 'year-end freeze');
    expect(screen.getByTestId('overview-rung-khal-hml')).not.toHaveTextContent('frozen');
  });

  it('marks a frozen rung on the Ladder tab', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue({
        ...entityLadder,
        rungs: entityLadder.rungs.map(v => (v.rung.id === 'prod' ? { ...v, rung: { ...v.rung, freezes: [freeze] } } : v)),
      }),
    });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    const prod = await screen.findByTestId('rung-details-prod');
    expect(within(prod).getByText(/^frozen until/)).toBeInTheDocument();
  });
});

describe('release policy on the overview', () => {
  it('banners a paused rung, marks its column and a paused service row', async () => {
    const api = mockLadderApi({
      getOverview: jest.fn().mockResolvedValue({
        ...overview,
        pauses: [
          pause({}),
          pause({ id: 'pause-2', scope: 'entity', ladderId: null, rungId: null, entityRef: ENTITY_REF, reason: 'incident 42' }),
        ],
      }),
    });
    await renderWithApis(<LadderOverviewPage />, { ladderApi: api });
    const banner = await screen.findByTestId('line-pause-banner');
    expect(banner).toHaveTextContent('Production (prod) of ladder khal is paused');
    expect(banner).not.toHaveTextContent('incident 42');
    expect(screen.getByTestId('overview-rung-khal-prod')).toHaveTextContent('paused');
    expect(screen.getByTestId('overview-rung-khal-hml')).not.toHaveTextContent('paused');
    expect(screen.getByTestId('overview-row-paused')).toHaveTextContent('paused by olga: incident 42');
  });
});
