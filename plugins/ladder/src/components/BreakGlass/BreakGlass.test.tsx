import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Promotion } from '@khal/plugin-ladder-common';
import { SAM, openPromotion } from '../../__testUtils__/fixtures';
import { mockLadderApi } from '../../__testUtils__/mockLadderApi';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { PromotionActions } from '../PromotionActions';
import { BreakGlassMark } from './BreakGlassMark';
import { BreakGlassReviews } from './BreakGlassReviews';

jest.setTimeout(30_000);

const OLGA = 'user:default/olga';
const REASON = 'checkout is down; the hotfix cannot wait';
const blocked: Promotion = {
  ...openPromotion,
  phase: 'Blocked',
  gates: [
    { gateId: 'dry-run-clean', title: 'Dry-run clean', status: 'failed', summary: 'no dry-run', checkedAt: openPromotion.createdAt },
    { gateId: 'approval', title: 'Approval', status: 'pending', summary: '0 of 1', checkedAt: openPromotion.createdAt },
  ],
};
const broken = (review: NonNullable<Promotion['breakGlass']>['review'], dueInMs = 3_600_000): Promotion => ({
  ...openPromotion,
  breakGlass: {
    reason: REASON,
    by: OLGA,
    at: new Date().toISOString(),
    overridden: ['dry-run-clean'],
    reviewDueAt: new Date(Date.now() + dueInMs).toISOString(),
    review,
  },
});
const allowed = { approve: true, cancel: true, recheck: true, breakGlass: true };

describe('break-glass in the portal', () => {
  it('requires a reason before the glass can be broken, and names the gates it overrides', async () => {
    const api = mockLadderApi();
    const onChanged = jest.fn();
    await renderWithApis(
      <PromotionActions promotion={blocked} user={{ userEntityRef: OLGA, ownershipEntityRefs: [] }} permissions={allowed} onChanged={onChanged} />,
      { ladderApi: api, user: OLGA },
    );
    await userEvent.click(screen.getByRole('button', { name: 'Break glass' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('This overrides Dry-run clean for this promotion only. Approvals are never overridden');
    const submit = within(dialog).getByRole('button', { name: 'Break glass' });
    expect(submit).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText(/Reason/), 'urgent');
    expect(submit).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText(/Reason/), ` — ${REASON}`);
    expect(submit).toBeEnabled();
    await userEvent.click(submit);
    expect(api.breakGlass).toHaveBeenCalledWith(blocked.id, `urgent — ${REASON}`);
    expect(onChanged).toHaveBeenCalled();
  });

  it('says why the glass cannot be broken: without the permission, or when only approvals are missing', async () => {
    const api = mockLadderApi();
    const { unmount } = await renderWithApis(
      <PromotionActions promotion={blocked} user={{ userEntityRef: SAM, ownershipEntityRefs: [] }} permissions={{ ...allowed, breakGlass: false }} onChanged={jest.fn()} />,
      { ladderApi: api },
    );
    expect(screen.getByRole('button', { name: 'Break glass' })).toBeDisabled();
    expect(screen.getByText('you lack permission ladder.promotion.breakglass')).toBeInTheDocument();
    unmount();
    await renderWithApis(
      <PromotionActions promotion={openPromotion} user={{ userEntityRef: OLGA, ownershipEntityRefs: [] }} permissions={allowed} onChanged={jest.fn()} />,
      { ladderApi: api, user: OLGA },
    );
    expect(screen.getByText('its gates already pass; approvals are never overridden')).toBeInTheDocument();
  });

  it('shows the mark with the reason and lets someone other than the breaker acknowledge the review', async () => {
    const api = mockLadderApi();
    const onChanged = jest.fn();
    await renderWithApis(
      <BreakGlassMark promotion={broken(null)} user={{ userEntityRef: SAM, ownershipEntityRefs: [] }} permissions={allowed} onChanged={onChanged} />,
      { ladderApi: api },
    );
    const mark = screen.getByRole('status', { name: 'Break-glass' });
    expect(mark).toHaveTextContent(`Break-glass by olga`);
    expect(mark).toHaveTextContent(`“${REASON}”. Overrides dry-run-clean; approvals still apply.`);
    expect(mark).toHaveTextContent('Review waits for someone other than olga.');
    await userEvent.click(within(mark).getByRole('button', { name: 'Acknowledge review' }));
    expect(api.acknowledgeBreakGlassReview).toHaveBeenCalledWith(openPromotion.id);
    expect(onChanged).toHaveBeenCalled();
  });

  it('does not let the breaker acknowledge their own review, and shows an overdue review as overdue', async () => {
    await renderWithApis(
      <BreakGlassMark promotion={broken(null, -60_000)} user={{ userEntityRef: OLGA, ownershipEntityRefs: [] }} permissions={allowed} onChanged={jest.fn()} />,
      { ladderApi: mockLadderApi(), user: OLGA },
    );
    const mark = screen.getByRole('status', { name: 'Break-glass' });
    expect(mark).toHaveTextContent('Review OVERDUE');
    expect(within(mark).getByRole('button', { name: 'Acknowledge review' })).toBeDisabled();
    expect(mark).toHaveTextContent('you broke the glass; someone else acknowledges the review');
  });

  it('lists waiting reviews, overdue ones counted; the overview shows only the overdue ones', async () => {
    const api = mockLadderApi({
      listPromotions: jest.fn().mockResolvedValue({
        items: [broken(null, -60_000), { ...broken(null), id: 'p-2' }],
      }),
    });
    const { unmount } = await renderWithApis(<BreakGlassReviews />, { ladderApi: api });
    const section = await screen.findByRole('region', { name: 'Break-glass reviews' });
    expect(section).toHaveTextContent('Break-glass reviews waiting: 2 (1 overdue)');
    expect(api.listPromotions).toHaveBeenCalledWith({ breakGlassReview: 'pending', limit: 100 });
    unmount();
    await renderWithApis(<BreakGlassReviews overdueOnly />, { ladderApi: api });
    const overview = await screen.findByRole('region', { name: 'Break-glass reviews' });
    expect(overview).toHaveTextContent('Overdue break-glass reviews: 1');
    expect(within(overview).getAllByRole('status', { name: 'Break-glass' })).toHaveLength(1);
  });
});
