import { screen, within } from '@testing-library/react';
import type { AuditEvent, RungSummary } from '@khal/plugin-ladder-common';
import {
  ALICE,
  ENTITY_REF,
  SAM,
  enrolledEntity,
  entityLadder,
  openPromotion,
  overview,
} from '../../__testUtils__/fixtures';
import { mockLadderApi } from '../../__testUtils__/mockLadderApi';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityLadderContent } from '../EntityLadderContent';
import { LadderOverviewPage } from '../Overview';
import { rungWindow } from './RungTimeRules';

jest.setTimeout(60_000);

// A window that opened an hour ago and lasts a day, and one that opens in the year 2099 only.
const openWindow = {
  cron: `${new Date(Date.now() - 3_600_000).getUTCMinutes()} * * * *`,
  timeZone: 'UTC',
  duration: 86_400,
};
const closedWindow = {
  cron: '0 9 1 1 *',
  timeZone: 'America/Sao_Paulo',
  duration: 3600,
  title: 'new year',
};
const withRung =
  (id: string, extra: Partial<RungSummary>) => (r: RungSummary) =>
    r.id === id ? { ...r, ...extra } : r;

describe('time rules of a rung, in words', () => {
  it('says when a closed window opens, in its own time zone and as time left', () => {
    const now = new Date('2027-01-01T08:50:00Z');
    expect(rungWindow({ windows: [closedWindow] }, now)).toEqual({
      open: false,
      text: 'release window closed; opens (new year) Fri 01 Jan 09:00 America/Sao_Paulo, in 3 h 10 min (until Fri 01 Jan 10:00 America/Sao_Paulo)',
    });
    expect(rungWindow({}, now)).toBeUndefined();
  });
});

describe('time rules on the overview', () => {
  it('marks a rung whose window is closed with when it opens, and one whose window is open as open', async () => {
    const api = mockLadderApi({
      getOverview: jest.fn().mockResolvedValue({
        ...overview,
        ladders: [
          {
            ...overview.ladders[0],
            rungs: overview.ladders[0].rungs
              .map(withRung('prod', { windows: [closedWindow] }))
              .map(withRung('hml', { windows: [openWindow] })),
          },
        ],
      }),
    });
    await renderWithApis(<LadderOverviewPage />, { ladderApi: api });
    const prod = await screen.findByTestId('overview-rung-khal-prod');
    expect(within(prod).getByTestId('overview-rung-window')).toHaveTextContent(
      /^window closed; opens \(new year\) \w{3} 01 Jan 09:00 America\/Sao_Paulo, in /,
    );
    expect(
      within(screen.getByTestId('overview-rung-khal-hml')).getByTestId(
        'overview-rung-window',
      ),
    ).toHaveTextContent('window open');
    expect(screen.getByTestId('overview-rung-khal-dev')).not.toHaveTextContent(
      'window',
    );
  });
});

describe('time rules on the Ladder tab', () => {
  it('marks the rung with its window and soak time, and the gate checklist shows the time left', async () => {
    const soaking = {
      ...openPromotion,
      phase: 'Blocked',
      gates: [
        {
          gateId: 'window-open',
          title: 'Release window open',
          status: 'pending' as const,
          summary:
            'release window closed; opens Tue 08 Dec 09:00 America/Sao_Paulo, in 3 h 10 min (until Tue 08 Dec 17:00 America/Sao_Paulo)',
          howToFix:
            'wait for the window: the promotion is re-checked and goes on by itself when it opens',
          checkedAt: openPromotion.createdAt,
        },
        {
          gateId: 'soak',
          title: 'Soaked on the rung below',
          status: 'pending' as const,
          summary: 'a1b2c3d is soaking on Shared dev: 1 h 20 min left of 2 h',
          checkedAt: openPromotion.createdAt,
        },
      ],
    };
    const api = mockLadderApi({
      getEntityLadder: jest.fn().mockResolvedValue({
        ...entityLadder,
        rungs: entityLadder.rungs.map(v =>
          v.rung.id === 'hml'
            ? {
                ...v,
                rung: {
                  ...v.rung,
                  windows: [closedWindow],
                  minSoakSeconds: 7200,
                },
              }
            : v,
        ),
        openPromotions: [soaking],
      }),
    });
    await renderWithApis(<EntityLadderContent />, {
      ladderApi: api,
      entity: enrolledEntity,
      user: SAM,
    });
    const hml = await screen.findByTestId('rung-details-hml');
    expect(within(hml).getByText('window closed')).toBeInTheDocument();
    expect(within(hml).getByText('soak 2 h')).toBeInTheDocument();
    const gates = screen.getByRole('list', {
      name: /^Gates of the promotion to/,
    });
    expect(gates).toHaveTextContent(
      'Release window open — release window closed; opens Tue 08 Dec 09:00 America/Sao_Paulo, in 3 h 10 min',
    );
    expect(gates).toHaveTextContent(
      'Soaked on the rung below — a1b2c3d is soaking on Shared dev: 1 h 20 min left of 2 h',
    );
  });

  it('shows an expired promotion as expired, with why, in the audit trail', async () => {
    const expired: AuditEvent = {
      id: '99',
      entityRef: ENTITY_REF,
      promotionId: 'p-9',
      action: 'promotion.expire',
      actor: 'service:ladder-recheck',
      fromPhase: 'Blocked',
      toPhase: 'Expired',
      detail: {
        message:
          'expired: it stayed open for 7 d, longer than the 7 d the ladder allows (expiry.openPromotions) before a deploy; request it again',
      },
      createdAt: new Date().toISOString(),
    };
    const api = mockLadderApi({
      getAudit: jest.fn().mockResolvedValue({ items: [expired] }),
    });
    await renderWithApis(<EntityLadderContent />, {
      ladderApi: api,
      entity: enrolledEntity,
      user: ALICE,
    });
    const row = await screen.findByTestId('audit-expired');
    expect(row).toHaveTextContent('Expired expired: it stayed open for 7 d');
    expect(
      within(row).getByText('Expired').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'neutral');
    expect(screen.getByRole('list', { name: 'Audit trail' })).toHaveTextContent(
      'promotion expire: Blocked → Expired',
    );
  });
});
