import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SidebarOpenStateProvider } from '@backstage/core-components';
import { LADDER_APPROVALS_CHANNEL } from '@khal/plugin-ladder-common';
import { ENTITY_REF, SAM, openPromotion } from '../../__testUtils__/fixtures';
import { mockLadderApi } from '../../__testUtils__/mockLadderApi';
import {
  mockSignalApi,
  renderWithApis,
} from '../../__testUtils__/renderWithApis';
import { LadderApprovalsPage } from './LadderApprovalsPage';
import { LadderApprovalsSidebarItem } from './LadderApprovalsSidebarItem';

// The whole tab (or inbox) renders with MUI dialogs and menus: on a loaded 2-core CI machine one
// render can take several seconds, so the default 5 s would fail tests for the machine's sake.
jest.setTimeout(30_000);

describe('LadderApprovalsPage', () => {
  it('lists the promotions waiting for me with the gate summary, and approves in place', async () => {
    const api = mockLadderApi();
    await renderWithApis(<LadderApprovalsPage />, {
      ladderApi: api,
      user: SAM,
    });
    const item = await screen.findByRole('article', {
      name: `Promotion of ${ENTITY_REF} to Customer HML`,
    });
    expect(
      within(item).getByText(
        /1 of 3 gates pass — not yet: Acceptance evidence \(failed\), Approval \(pending\)/,
      ),
    ).toBeInTheDocument();
    expect(api.listPromotions).toHaveBeenCalledWith({
      awaitingMyApproval: 'true',
      limit: 100,
    });
    expect(
      within(item).queryByRole('button', { name: 'Cancel promotion' }),
    ).not.toBeInTheDocument();
    await userEvent.click(
      within(item).getByRole('button', { name: 'Approve' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    await waitFor(() =>
      expect(api.decide).toHaveBeenCalledWith(
        'p-1',
        { decision: 'approve', comment: '' },
        expect.anything(),
      ),
    );
  });

  it('shows the customer explanation before the gates', async () => {
    const explained = {
      ...openPromotion,
      explanation: 'Acme gets the new checkout',
      explanationDetail: {
        text: 'Acme gets the new checkout',
        customer: 'Acme Retail',
        contacts: [],
        settingsSupplied: null,
        settingsMissing: [],
        changes: {
          from: { ref: null },
          to: openPromotion.ref,
          commits: null,
          settingsAdded: [],
          settingsRemoved: [],
          newlyRequired: [],
        },
        approvers: [],
      },
    };
    const api = mockLadderApi({
      listPromotions: jest.fn().mockResolvedValue({ items: [explained] }),
    });
    await renderWithApis(<LadderApprovalsPage />, {
      ladderApi: api,
      user: SAM,
    });
    const item = await screen.findByRole('article', {
      name: `Promotion of ${ENTITY_REF} to Customer HML`,
    });
    const explanation = within(item).getByRole('region', {
      name: 'Explanation for the customer',
    });
    expect(explanation).toHaveTextContent('Explanation for Acme Retail');
    expect(explanation).toHaveTextContent('Settings suppliedunknown: nothing has observed the settings on this rung yet');
    expect(explanation).toHaveTextContent('first placement (nothing below to compare with) to a1b2c3d');
    expect(explanation).toHaveTextContent('Can approve nextnobody found in the approver groups');
    expect(item.textContent!.indexOf('Acme gets the new checkout')).toBeLessThan(item.textContent!.indexOf('gates pass'));
  });

  it('shows the approver the commit and manifest digest, and which earlier approvals no longer count and why', async () => {
    const bound = {
      ...openPromotion,
      ref: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      requestedRef: 'release-7',
      manifestDigest: 'f00dfeed'.repeat(8),
      approvals: [
        {
          id: 'ap-1',
          promotionId: openPromotion.id,
          approver: 'user:default/omar',
          decision: 'approve' as const,
          comment: '',
          createdAt: openPromotion.createdAt,
          counted: false,
          why: 'user:default/omar is no longer a member of group:default/customer-stakeholders',
        },
      ],
      approvalRequirement: { ...openPromotion.approvalRequirement!, given: 0 },
    };
    const api = mockLadderApi({
      listPromotions: jest.fn().mockResolvedValue({ items: [bound] }),
    });
    await renderWithApis(<LadderApprovalsPage />, {
      ladderApi: api,
      user: SAM,
    });
    const item = await screen.findByRole('article', {
      name: `Promotion of ${ENTITY_REF} to Customer HML`,
    });
    expect(within(item).getByTestId('approval-binding')).toHaveTextContent(
      'Commit a1b2c3d4e5f60718293a4b5c6d7e8f9012345678 (requested as release-7); manifest sha256:f00dfeedf00d…',
    );
    expect(within(item).getByText(/0 of 1 approval given/)).toBeInTheDocument();
    expect(
      within(item).getByRole('list', { name: 'Decisions given' }),
    ).toHaveTextContent(
      'does not count: user:default/omar is no longer a member of group:default/customer-stakeholders',
    );
  });

  it('shows each approval rule with who counted towards it and who can still approve for it', async () => {
    const OPS = 'group:default/operators';
    const STAKE = 'group:default/customer-stakeholders';
    const twoRules = {
      ...openPromotion,
      approvalRequirement: {
        groups: [STAKE, OPS],
        minimum: 2,
        given: 1,
        eligible: [SAM],
        rules: [
          { title: 'Customer sign-off', groups: [STAKE], minimum: 1, approvedBy: [], eligible: [SAM], satisfied: false },
          { title: 'Second operator', groups: [OPS], minimum: 1, approvedBy: ['user:default/omar'], eligible: [], satisfied: true },
        ],
      },
    };
    const api = mockLadderApi({
      listPromotions: jest.fn().mockResolvedValue({ items: [twoRules] }),
    });
    await renderWithApis(<LadderApprovalsPage />, { ladderApi: api, user: SAM });
    const item = await screen.findByRole('article', {
      name: `Promotion of ${ENTITY_REF} to Customer HML`,
    });
    const rules = within(within(item).getByRole('list', { name: 'Approval rules' })).getAllByTestId('approval-rule');
    expect(rules.map(r => r.textContent)).toEqual([
      '… Customer sign-off: 0 of 1 from customer-stakeholders; can still approve: sam',
      '✔ Second operator: 1 of 1 from operators — approved by omar',
    ]);
    expect(within(item).getByText(/1 of 2 approvals given; every rule above must hold/)).toBeInTheDocument();
  });

  it('requires a reason to reject', async () => {
    const api = mockLadderApi();
    await renderWithApis(<LadderApprovalsPage />, {
      ladderApi: api,
      user: SAM,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reject' }),
    );
    const dialog = await screen.findByRole('dialog');
    const reject = within(dialog).getByRole('button', { name: 'Reject' });
    expect(reject).toBeDisabled();
    await userEvent.type(
      within(dialog).getByLabelText(/why do you reject it/i),
      'customer not ready',
    );
    expect(reject).toBeEnabled();
  });

  it('says when nothing is waiting', async () => {
    const api = mockLadderApi({
      listPromotions: jest.fn().mockResolvedValue({ items: [] }),
    });
    await renderWithApis(<LadderApprovalsPage />, {
      ladderApi: api,
      user: SAM,
    });
    expect(await screen.findByTestId('approvals-empty')).toHaveTextContent(
      'Nothing is waiting for you',
    );
  });

  it('shows the error with a retry', async () => {
    const api = mockLadderApi({
      listPromotions: jest
        .fn()
        .mockRejectedValue(new Error('inbox unavailable')),
    });
    await renderWithApis(<LadderApprovalsPage />, {
      ladderApi: api,
      user: SAM,
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'inbox unavailable',
    );
  });
});

describe('LadderApprovalsSidebarItem', () => {
  it('links to the inbox with a live count badge', async () => {
    const signals = mockSignalApi();
    const api = mockLadderApi({
      listPromotions: jest
        .fn()
        .mockResolvedValueOnce({ items: [openPromotion] })
        .mockResolvedValue({
          items: [openPromotion, { ...openPromotion, id: 'p-2' }],
        }),
    });
    await renderWithApis(
      <SidebarOpenStateProvider value={{ isOpen: true, setOpen: () => {} }}>
        <LadderApprovalsSidebarItem />
      </SidebarOpenStateProvider>,
      { ladderApi: api, user: SAM, signalApi: signals.api },
    );
    const link = await screen.findByRole('link', {
      name: /Approvals: 1 waiting for you/,
    });
    expect(link).toHaveAttribute('href', '/ladder/approvals');
    act(() =>
      signals.publish(LADDER_APPROVALS_CHANNEL, {
        entityRef: ENTITY_REF,
        change: 'approval',
      }),
    );
    expect(
      await screen.findByRole('link', { name: /Approvals: 2 waiting for you/ }),
    ).toBeInTheDocument();
  });
});
