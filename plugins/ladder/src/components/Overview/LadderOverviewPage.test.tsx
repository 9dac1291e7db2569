import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { openPromotion, overview } from '../../__testUtils__/fixtures';
import { mockLadderApi } from '../../__testUtils__/mockLadderApi';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { LadderOverviewPage } from './LadderOverviewPage';

describe('LadderOverviewPage', () => {
  it('shows services × rungs with refs and tones linking to the entity tab', async () => {
    const api = mockLadderApi();
    await renderWithApis(<LadderOverviewPage />, { ladderApi: api });
    const cell = await screen.findByRole('link', { name: /Orders API on Local, Proven, ref a1b2c3d/ });
    expect(cell).toHaveAttribute('href', '/catalog/default/component/orders-api/ladder');
    const drifted = screen.getByRole('link', { name: /Orders API on Shared dev, Drifted, ref 9f8e7d6, runs 1234567, expected 9f8e7d6/ });
    expect(drifted).toHaveAttribute('data-status', 'drifted');
    expect(drifted).toHaveTextContent(/⚠ Drifted 3 days ago/);
    expect(drifted).toHaveTextContent('runs 1234567, expected 9f8e7d6');
    expect(screen.getByRole('link', { name: /Orders API on Customer HML, Empty, promotion of a1b2c3d Awaiting approval/ })).toBeInTheDocument();
    expect(screen.getByText('Showing 2 of 2 services.')).toBeInTheDocument();
    expect(api.getOverview).toHaveBeenCalledWith(expect.objectContaining({ limit: 100, cursor: undefined }));
  });

  it('marks a break-glass promotion on its cell and lists overdue break-glass reviews', async () => {
    const [first, ...rest] = overview.items;
    const marked = {
      ...overview,
      items: [
        {
          ...first,
          cells: {
            ...first.cells,
            hml: { ...first.cells.hml!, openPromotion: { id: 'p-1', phase: 'AwaitingApproval', ref: 'a1b2c3d', breakGlass: true } },
          },
        },
        ...rest,
      ],
    };
    const overdue = {
      ...openPromotion,
      breakGlass: {
        reason: 'checkout is down for everyone',
        by: 'user:default/olga',
        at: '2026-11-20T10:00:00.000Z',
        overridden: ['dry-run-clean'],
        reviewDueAt: '2026-11-21T10:00:00.000Z',
        review: null,
      },
    };
    const api = mockLadderApi({
      getOverview: jest.fn().mockResolvedValue(marked),
      listPromotions: jest.fn().mockResolvedValue({ items: [overdue] }),
    });
    await renderWithApis(<LadderOverviewPage />, { ladderApi: api });
    const cell = await screen.findByRole('link', {
      name: /Orders API on Customer HML, Empty, promotion of a1b2c3d Awaiting approval \(break-glass\)/,
    });
    expect(cell).toHaveTextContent('break-glass');
    expect(await screen.findByRole('region', { name: 'Break-glass reviews' })).toHaveTextContent(
      'Overdue break-glass reviews: 1',
    );
  });

  it('loads the next page with the cursor instead of everything at once', async () => {
    const api = mockLadderApi({
      getOverview: jest
        .fn()
        .mockResolvedValueOnce({ ...overview, items: overview.items.slice(0, 1), totalItems: 5000, nextCursor: 'c2' })
        .mockResolvedValueOnce({ ...overview, items: overview.items.slice(1), totalItems: 5000 }),
    });
    await renderWithApis(<LadderOverviewPage />, { ladderApi: api });
    expect(await screen.findByText('Showing 1 of 5000 services.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Load more services' }));
    expect(await screen.findByText('Showing 2 of 5000 services.')).toBeInTheDocument();
    expect(api.getOverview).toHaveBeenLastCalledWith(expect.objectContaining({ cursor: 'c2' }));
  });

  it('filters on the server, once typing stops', async () => {
    const api = mockLadderApi();
    await renderWithApis(<LadderOverviewPage />, { ladderApi: api });
    await screen.findByText('Showing 2 of 2 services.');
    await userEvent.type(screen.getByLabelText('Search services'), 'orders');
    await waitFor(() => expect(api.getOverview).toHaveBeenLastCalledWith(expect.objectContaining({ q: 'orders' })));
    // One request for the whole word, not one per keystroke.
    expect(api.getOverview.mock.calls.filter(([q]) => q?.q).length).toBe(1);
  });

  it('says what to do when no service is on a ladder', async () => {
    const api = mockLadderApi({ getOverview: jest.fn().mockResolvedValue({ ...overview, items: [], totalItems: 0 }) });
    await renderWithApis(<LadderOverviewPage />, { ladderApi: api });
    expect(await screen.findByTestId('overview-empty')).toHaveTextContent(/khal.ai\/ladder annotation/);
  });

  it('shows the error with a retry', async () => {
    const api = mockLadderApi({ getOverview: jest.fn().mockRejectedValue(new Error('overview unavailable')) });
    await renderWithApis(<LadderOverviewPage />, { ladderApi: api });
    expect(await screen.findByRole('alert')).toHaveTextContent('overview unavailable');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
