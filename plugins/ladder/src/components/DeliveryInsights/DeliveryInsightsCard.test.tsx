import { fireEvent, screen, within } from '@testing-library/react';
import { ENTITY_REF, insights } from '../../__testUtils__/fixtures';
import { mockLadderApi } from '../../__testUtils__/mockLadderApi';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { DeliveryInsightsCard } from './DeliveryInsightsCard';
import { insightsCsv } from './insightsCsv';

describe('DeliveryInsightsCard', () => {
  it("shows one entity's figures as people read them, and asks for another window", async () => {
    const api = mockLadderApi();
    await renderWithApis(<DeliveryInsightsCard entityRef={ENTITY_REF} />, {
      ladderApi: api,
    });
    const lead = await screen.findByRole('group', {
      name: 'Lead time to the top rung',
    });
    expect(within(lead).getByText('3 h 10 min')).toBeInTheDocument();
    expect(
      within(lead).getByText('median of 2; p90 1 d 2 h'),
    ).toBeInTheDocument();
    const cfr = screen.getByRole('group', { name: 'Change failure rate' });
    expect(within(cfr).getByText('25%')).toBeInTheDocument();
    expect(
      within(cfr).getByText('3 failed or rolled back of 12 changes'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('group', { name: 'Time to restore' })).getByText(
        'median of 2; 1 not restored yet',
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('dev: 3 (0.7/week)')).toBeInTheDocument();
    expect(api.getInsights).toHaveBeenLastCalledWith({
      days: 30,
      entityRef: ENTITY_REF,
    });

    fireEvent.mouseDown(screen.getByLabelText('Window'));
    fireEvent.click(
      await screen.findByRole('option', { name: 'last 90 days' }),
    );
    await screen.findByRole('group', { name: 'Lead time to the top rung' });
    expect(api.getInsights).toHaveBeenLastCalledWith({
      days: 90,
      entityRef: ENTITY_REF,
    });
  });

  it('says so when nothing happened, instead of showing zeros as figures', async () => {
    const empty = {
      ...insights.totals,
      leadTime: { count: 0, medianSeconds: null, p90Seconds: null },
      deployments: [],
      changes: 0,
      failures: 0,
      changeFailureRate: null,
      timeToRestore: {
        count: 0,
        medianSeconds: null,
        p90Seconds: null,
        open: 0,
      },
      approvalWait: { count: 0, medianSeconds: null, p90Seconds: null },
    };
    const api = mockLadderApi({
      getInsights: jest
        .fn()
        .mockResolvedValue({
          ...insights,
          totals: empty,
          teams: [],
          entities: [],
        }),
    });
    await renderWithApis(<DeliveryInsightsCard />, { ladderApi: api });
    expect(
      await screen.findByText('nothing reached the top rung in 30 days'),
    ).toBeInTheDocument();
    expect(screen.getByText('no change in this window')).toBeInTheDocument();
    expect(
      screen.getByText(/Nothing was placed in the last 30 days/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeDisabled();
  });

  it('shows teams on the overview and exports every row as CSV', async () => {
    await renderWithApis(<DeliveryInsightsCard />, {
      ladderApi: mockLadderApi(),
    });
    const table = await screen.findByRole('table', {
      name: 'Delivery insights per team',
    });
    expect(within(table).getByText('team-orders')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeEnabled();
  });
});

describe('insightsCsv', () => {
  it('writes seconds and counts as given, empty for no sample, one column per rung, and neutralises formulas', () => {
    const csv = insightsCsv([
      insights.entities[0],
      {
        ...insights.teams[0],
        key: '=HYPERLINK("x")',
        leadTime: { count: 0, medianSeconds: null, p90Seconds: null },
      },
    ]);
    const [header, first, second] = csv.trim().split('\r\n');
    expect(header).toBe(
      'key,lead_time_median_s,lead_time_p90_s,lead_time_samples,deployments_local,deployments_dev,deployments_prod,changes,failures,change_failure_rate,time_to_restore_median_s,open_failures,approval_wait_median_s,approval_wait_p90_s',
    );
    expect(first).toBe(
      `${ENTITY_REF},11400,93600,2,6,3,2,12,3,0.25,1500,1,5400,86400`,
    );
    expect(second.startsWith(`"'=HYPERLINK(""x"")",,,0,`)).toBe(true);
  });
});
