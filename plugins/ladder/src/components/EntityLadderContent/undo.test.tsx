import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BadCommit, EntityLadderResponse, RungView } from '@khal/plugin-ladder-common';
import { ENTITY_REF, SAM, enrolledEntity, entityLadder } from '../../__testUtils__/fixtures';
import { mockLadderApi } from '../../__testUtils__/mockLadderApi';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityLadderContent } from './EntityLadderContent';

jest.setTimeout(60_000);

/** Permission answers are cached per entity: a test that denies one uses an entity of its own. */
const entityNamed = (name: string) => ({ ...enrolledEntity, metadata: { ...enrolledEntity.metadata, name } });
const PREVIOUS = 'c0ffee0000000000000000000000000000000001';
const RUNNING = 'bada55000000000000000000000000000000beef';

/** The fixture ladder, with the rung `id` changed by `change`. */
function ladderWith(id: string, change: Partial<RungView>, extra: Partial<EntityLadderResponse> = {}): EntityLadderResponse {
  return {
    ...entityLadder,
    openPromotions: [],
    rungs: entityLadder.rungs.map(v => (v.rung.id === id ? { ...v, ...change } : v)),
    ...extra,
  };
}

describe('undo on the Ladder tab: roll back, act on drift, take a bad mark back', () => {
  it('disables Roll back on a first release, saying why, before any click', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue(
        ladderWith('local', {
          rollback: { allowed: false, reason: 'a1b2c3d is the first release on Local: there is no previous ref to roll back to' },
        }),
      ),
    });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    const local = await screen.findByTestId('rung-details-local');
    expect(within(local).getByRole('button', { name: 'Roll back Local' })).toBeDisabled();
    expect(local).toHaveTextContent('a1b2c3d is the first release on Local: there is no previous ref to roll back to');
  });

  it('rolls back to the ref the backend names, as a rollback of that rung only', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue(ladderWith('local', { rollback: { allowed: true, ref: PREVIOUS } })),
    });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    const local = await screen.findByTestId('rung-details-local');
    const button = within(local).getByRole('button', { name: 'Roll back Local to c0ffee0' });
    await waitFor(() => expect(button).toBeEnabled(), { timeout: 10_000 });
    await userEvent.click(button);
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading', { name: 'Roll back' })).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/Ref to roll back to/)).toHaveValue(PREVIOUS);
  });

  it('disables Roll back without ladder.promotion.create, saying which permission is missing', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue(ladderWith('local', { rollback: { allowed: true, ref: PREVIOUS } })),
    });
    await renderWithApis(<EntityLadderContent />, {
      ladderApi: api,
      entity: entityNamed('no-create-api'),
      user: SAM,
      deny: ['ladder.promotion.create'],
    });
    const local = await screen.findByTestId('rung-details-local');
    await waitFor(() => expect(local).toHaveTextContent('you lack permission ladder.promotion.create'));
    expect(within(local).getByRole('button', { name: 'Roll back Local to c0ffee0' })).toBeDisabled();
  });

  it('offers Adopt and Roll back to the placed ref on a drifted rung', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue(
        ladderWith('dev', {
          status: 'drifted',
          statusReason: 'the cluster runs bada550, not what the ladder placed',
          drift: { since: new Date().toISOString(), running: RUNNING, expected: '9f8e7d6c5b4a' },
          rollback: { allowed: true, ref: '9f8e7d6c5b4a' },
        }),
      ),
    });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    const dev = await screen.findByTestId('rung-details-dev');
    expect(within(dev).getByRole('button', { name: /^Roll Shared dev back to the placed 9f8e7d6/ })).toBeInTheDocument();
    const adopt = within(dev).getByRole('button', { name: /^Adopt bada550 on Shared dev/ });
    await waitFor(() => expect(adopt).toBeEnabled(), { timeout: 10_000 });
    await userEvent.click(adopt);
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading', { name: 'Adopt what runs' })).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/Ref the cluster runs/)).toHaveValue(RUNNING);
  });

  const bad: BadCommit = {
    id: 'bad-1',
    entityRef: ENTITY_REF,
    sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    reason: 'corrupts orders',
    markedBy: SAM,
    markedAt: new Date(Date.now() - 60_000).toISOString(),
  };

  it('takes a bad mark back with a reason', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue(ladderWith('local', {}, { badCommits: [bad] })),
      unmarkBadCommit: jest.fn().mockResolvedValue(bad),
    });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    const list = await screen.findByTestId('bad-commits');
    const takeBack = within(list).getByRole('button', { name: 'Take back the mark of a1b2c3d' });
    await waitFor(() => expect(takeBack).toBeEnabled(), { timeout: 10_000 });
    await userEvent.click(takeBack);
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Marked bad by sam: “corrupts orders”');
    expect(within(dialog).getByRole('button', { name: 'Take back' })).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText(/Why it is fine/), 'false alarm');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Take back' }));
    await waitFor(() => expect(api.unmarkBadCommit).toHaveBeenCalledWith('bad-1', 'false alarm'));
  });

  it('disables taking a mark back without ladder.badcommit.create', async () => {
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue(ladderWith('local', {}, { badCommits: [bad] })),
    });
    await renderWithApis(<EntityLadderContent />, {
      ladderApi: api,
      entity: entityNamed('no-badcommit-api'),
      user: SAM,
      deny: ['ladder.badcommit.create'],
    });
    const list = await screen.findByTestId('bad-commits');
    await waitFor(() => expect(within(list).getByRole('button', { name: 'Take back the mark of a1b2c3d' })).toBeDisabled());
    expect(list).toHaveTextContent('you lack permission ladder.badcommit.create');
  });
});
