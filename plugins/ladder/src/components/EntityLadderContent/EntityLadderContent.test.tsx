import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import { ladderEntityChannel } from '@khal/plugin-ladder-common';
import {
  ALICE,
  ENTITY_REF,
  OLGA,
  SAM,
  enrolledEntity,
  entityLadder,
  openPromotion,
  plainEntity,
} from '../../__testUtils__/fixtures';
import { mockLadderApi } from '../../__testUtils__/mockLadderApi';
import { mockSignalApi, renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityLadderContent } from './EntityLadderContent';

// The whole tab (or inbox) renders with MUI dialogs and menus: on a loaded 2-core CI machine one
// render can take several seconds, so the default 5 s would fail tests for the machine's sake.
jest.setTimeout(30_000);

describe('EntityLadderContent', () => {
  it('shows the open promotion: gates with how-to-fix, approvals, deploy plan and commands', async () => {
    const api = mockLadderApi();
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    const gates = await screen.findByRole('list', { name: /gates of the promotion to customer hml/i });
    expect(within(gates).getByText('Failed')).toBeInTheDocument();
    expect(within(gates).getByText(/How to fix: record acceptance evidence/)).toBeInTheDocument();
    expect(within(gates).getByText('Pending')).toBeInTheDocument();
    expect(screen.getByText(/0 of 1 approval given; 1 more needed from customer-stakeholders/)).toBeInTheDocument();
    expect(screen.getByText(/Who can still approve: sam/)).toBeInTheDocument();
    expect(await screen.findByTestId('deploy-plan')).toHaveTextContent('helm upgrade --install');
    expect(screen.getAllByRole('button', { name: 'Copy the rollback command' }).length).toBeGreaterThan(0);
    expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled();
    expect(api.getPlan).toHaveBeenCalledWith({ entityRef: ENTITY_REF, target: 'hml', ref: openPromotion.ref });
  });

  it('ends blocked gates with who can unblock the rung, and shows a rung boundary, endpoints and lifecycle', async () => {
    const withBoundary = {
      ...entityLadder,
      ladder: {
        ...entityLadder.ladder,
        rungs: entityLadder.ladder.rungs.map(r =>
          r.id === 'hml' ? { ...r, metadata: { contacts: ['sam@acme.example'], requiresExplanation: false } } : r,
        ),
      },
      rungs: entityLadder.rungs.map(v =>
        v.rung.id === 'dev'
          ? {
              ...v,
              rung: {
                ...v.rung,
                boundary: { useFor: ['integration'], mustProvide: ['a ready rollout'], mustNotBe: ['customer data'] },
                endpoints: [{ name: 'app', url: 'http://orders.dev.example' }],
                lifecycle: { up: [{ title: 'Apply', run: 'kubectl apply -f deploy/' }] },
              },
            }
          : v,
      ),
    };
    const api = mockLadderApi({ getEntityLadder: jest.fn().mockResolvedValue(withBoundary) });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    const whom = await screen.findByTestId('whom-to-ask-hml');
    expect(whom).toHaveTextContent(
      'Who can unblock this: sam@acme.example (contacts of Customer HML); group:default/customer-stakeholders (approvers; 1 approval needed).',
    );
    expect(whom).toHaveTextContent('khal help-request --target hml');
    const dev = screen.getByTestId('rung-details-dev');
    expect(dev).toHaveTextContent('Use forintegration');
    expect(dev).toHaveTextContent('Must providea ready rollout');
    expect(dev).toHaveTextContent('Must not becustomer data');
    expect(dev).toHaveTextContent('Endpoint apphttp://orders.dev.example');
    expect(dev).toHaveTextContent('khal env up --target dev');
  });

  it('says how old the cluster state is and reads the clusters now on request', async () => {
    const checkedAt = new Date(Date.now() - 4000).toISOString();
    const withCluster = {
      ...entityLadder,
      rungs: entityLadder.rungs.map(r =>
        r.rung.id === 'dev'
          ? { ...r, cluster: { cluster: 'kind-dev', namespace: 'khal-orders-api', reachable: true, runningRef: '1234567', checkedAt } }
          : r,
      ),
    };
    const api = mockLadderApi({ getEntityLadder: jest.fn().mockResolvedValue(withCluster) });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    // Observed 4 s before the render started; a busy machine may take seconds more to render it.
    const observed = await screen.findByTestId('cluster-observation');
    const age = Number(/Cluster state as observed (\d+) s ago/.exec(observed.textContent ?? '')?.[1]);
    expect(age).toBeGreaterThanOrEqual(4);
    expect(age).toBeLessThan(60);
    expect(api.getEntityLadder).toHaveBeenLastCalledWith(ENTITY_REF);
    await userEvent.click(screen.getByRole('button', { name: 'Read the clusters now' }));
    await waitFor(() => expect(api.getEntityLadder).toHaveBeenLastCalledWith(ENTITY_REF, { clusterState: 'live' }));
  });

  it('disables approve for the requester and says why', async () => {
    await renderWithApis(<EntityLadderContent />, { ladderApi: mockLadderApi(), entity: enrolledEntity, user: ALICE });
    const approve = await screen.findByRole('button', { name: 'Approve' });
    await waitFor(() => expect(approve).toBeDisabled());
    expect(approve).toHaveAccessibleDescription('you requested this promotion; another approver is needed');
  });

  it('disables "Request a promotion" with the backend\'s reason before any click when the next rung refuses the signed-in user', async () => {
    const reason = 'only members of group:default/operators may request promotions to Production (mutation policy "operators"); ask an operator';
    const toProd = {
      ...entityLadder,
      openPromotions: [],
      rungs: entityLadder.rungs.map(r => (r.rung.id === 'prod' ? { ...r, request: { allowed: false, reason } } : { ...r, request: { allowed: true } })),
      next: { action: 'promote' as const, toRung: 'prod', ref: 'a1b2c3d', summary: 'Next: promote a1b2c3d to Production — 2 of 4 gates pass' },
    };
    const entity = { ...enrolledEntity, metadata: { ...enrolledEntity.metadata, name: 'to-prod-api' } };
    await renderWithApis(<EntityLadderContent />, {
      ladderApi: mockLadderApi({ getEntityLadder: jest.fn().mockResolvedValue(toProd) }),
      entity,
      user: ALICE,
    });
    const request = await screen.findByRole('button', { name: 'Request a promotion' });
    await waitFor(() => expect(request).toBeDisabled());
    expect(request).toHaveAccessibleDescription(reason);
    // The rungs below stay requestable, through a button that says so.
    expect(screen.getByRole('button', { name: 'Request to another rung' })).toBeEnabled();
  });

  it('keeps "Request a promotion" enabled when the next rung accepts the signed-in user', async () => {
    const toProd = {
      ...entityLadder,
      openPromotions: [],
      rungs: entityLadder.rungs.map(r => ({ ...r, request: { allowed: true } })),
      next: { action: 'promote' as const, toRung: 'prod', ref: 'a1b2c3d', summary: 'Next: promote a1b2c3d to Production — 2 of 4 gates pass' },
    };
    const entity = { ...enrolledEntity, metadata: { ...enrolledEntity.metadata, name: 'to-prod-api-2' } };
    await renderWithApis(<EntityLadderContent />, {
      ladderApi: mockLadderApi({ getEntityLadder: jest.fn().mockResolvedValue(toProd) }),
      entity,
      user: OLGA,
    });
    const request = await screen.findByRole('button', { name: 'Request a promotion' });
    await waitFor(() => expect(request).toBeEnabled());
    expect(screen.queryByRole('button', { name: 'Request to another rung' })).toBeNull();
  });

  it('names the approver groups to someone outside them', async () => {
    await renderWithApis(<EntityLadderContent />, { ladderApi: mockLadderApi(), entity: enrolledEntity, user: OLGA });
    expect(await screen.findByText('only members of customer-stakeholders can approve')).toBeInTheDocument();
  });

  it('says which permission is missing', async () => {
    // usePermission caches decisions per entity across renders, so this test uses its own entity.
    const entity = { ...enrolledEntity, metadata: { ...enrolledEntity.metadata, name: 'denied-api' } };
    await renderWithApis(<EntityLadderContent />, {
      ladderApi: mockLadderApi(),
      entity,
      user: SAM,
      deny: ['ladder.promotion.approve'],
    });
    expect(await screen.findByText('you lack permission ladder.promotion.approve')).toBeInTheDocument();
  });

  it('approves with a comment and shows a refusal verbatim', async () => {
    const refusal = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({ error: { name: 'ConflictError', message: 'the promotion changed; reload and decide again' }, response: { statusCode: 409 } }),
        { status: 409, statusText: 'Conflict', headers: { 'content-type': 'application/json' } },
      ),
    );
    const api = mockLadderApi({ decide: jest.fn().mockRejectedValue(refusal) });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    await userEvent.click(await screen.findByRole('button', { name: 'Approve' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText(/comment/i), 'looks good');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Approve' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('the promotion changed; reload and decide again');
    expect(api.decide).toHaveBeenCalledWith(
      'p-1',
      { decision: 'approve', comment: 'looks good' },
      { idempotencyKey: expect.any(String) },
    );
  });

  it('shows the deploy plan before a promotion is requested', async () => {
    const api = mockLadderApi();
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: ALICE });
    await userEvent.click(await screen.findByRole('button', { name: 'Request a promotion' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).queryByRole('button', { name: 'Request promotion' })).not.toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Show deploy plan' }));
    expect(await within(dialog).findByTestId('deploy-plan')).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Request promotion' }));
    await waitFor(() => expect(api.createPromotion).toHaveBeenCalled());
    expect(api.createPromotion.mock.calls[0][0]).toMatchObject({ entityRef: ENTITY_REF, toRung: 'hml', kind: 'promotion' });
  });

  it('shows the change of the chosen target against the rung below in the request dialog', async () => {
    const api = mockLadderApi();
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: ALICE });
    await userEvent.click(await screen.findByRole('button', { name: 'Request a promotion' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Show deploy plan' }));
    const section = await within(dialog).findByRole('region', { name: 'Changes of this promotion' });
    expect(section).toHaveTextContent('Compared with the rung below, Shared dev (9f8e7d6).');
    expect(await within(section).findByTestId('change-view')).toHaveTextContent('Add the payments gateway setting');
    expect(api.getChanges).toHaveBeenCalledWith({ entityRef: ENTITY_REF, fromRef: '9f8e7d6c5b4a', toRef: 'a1b2c3d', target: 'hml' });
  });

  it('on a customer rung, asks for the explanation, says who reads it, and sends it', async () => {
    const rungs = entityLadder.rungs.map(r =>
      r.rung.id === 'hml'
        ? { ...r, rung: { ...r.rung, metadata: { customer: 'Acme Retail', contacts: ['sam@acme.example'], requiresExplanation: true } } }
        : r,
    );
    const api = mockLadderApi({ getEntityLadder: jest.fn().mockResolvedValue({ ...entityLadder, rungs }) });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: ALICE });
    await userEvent.click(await screen.findByRole('button', { name: 'Request a promotion' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('explanation-context')).toHaveTextContent(
      /Customer HML is a customer rung for Acme Retail.*approvers \(customer-stakeholders\) read it first.*Customer contacts: sam@acme.example/,
    );
    const show = within(dialog).getByRole('button', { name: 'Show deploy plan' });
    expect(show).toBeDisabled();
    // Pasted, not typed: one keystroke at a time re-renders the whole tab 26 times.
    await userEvent.click(within(dialog).getByLabelText(/Explanation for the customer/));
    await userEvent.paste('Acme gets the new checkout');
    expect(show).toBeEnabled();
    await userEvent.click(show);
    await userEvent.click(await within(dialog).findByRole('button', { name: 'Request promotion' }));
    await waitFor(() => expect(api.createPromotion).toHaveBeenCalled());
    expect(api.createPromotion.mock.calls[0][0]).toMatchObject({ toRung: 'hml', explanation: 'Acme gets the new checkout' });
  });

  it('shows what the open promotion changes and compares any two rungs', async () => {
    const api = mockLadderApi();
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    const panel = await screen.findByRole('region', { name: 'Promotion p-1' });
    expect(await within(panel).findByTestId('change-view')).toHaveTextContent('PAYMENTS_API_KEY');
    expect(api.getPromotionChanges).toHaveBeenCalledWith('p-1');
    await userEvent.click(screen.getByRole('button', { name: 'Compare' }));
    await waitFor(() => expect(api.getChanges).toHaveBeenCalledWith({ entityRef: ENTITY_REF, from: 'dev', to: 'local' }));
  });

  it('puts the customer explanation first on the open promotion', async () => {
    const explained = {
      ...openPromotion,
      explanation: 'Acme gets the new checkout',
      explanationDetail: {
        text: 'Acme gets the new checkout',
        customer: 'Acme Retail',
        contacts: ['sam@acme.example'],
        settingsSupplied: ['DATABASE_URL'],
        settingsMissing: ['PAYMENTS_API_KEY'],
        changes: {
          from: { rung: 'dev', ref: '9f8e7d6c5b4a' },
          to: openPromotion.ref,
          commits: 2,
          settingsAdded: ['PAYMENTS_API_KEY'],
          settingsRemoved: [],
          newlyRequired: ['PAYMENTS_API_KEY'],
        },
        approvers: [SAM],
      },
    };
    const api = mockLadderApi({ getEntityLadder: jest.fn().mockResolvedValue({ ...entityLadder, openPromotions: [explained] }) });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, user: SAM });
    const panel = await screen.findByRole('region', { name: 'Promotion p-1' });
    const explanation = within(panel).getByRole('region', { name: 'Explanation for the customer' });
    expect(explanation).toHaveTextContent('Explanation for Acme Retail');
    expect(explanation).toHaveTextContent('Settings suppliedDATABASE_URL');
    expect(explanation).toHaveTextContent('Settings missingPAYMENTS_API_KEY');
    expect(explanation).toHaveTextContent('from Shared dev 9f8e7d6 to a1b2c3d, 2 commits; settings added: PAYMENTS_API_KEY; newly required: PAYMENTS_API_KEY');
    expect(explanation).toHaveTextContent('Can approve nextsam');
    // First in the panel: before the phase message, the gates and the actions.
    expect(panel.textContent!.indexOf('Explanation for Acme Retail')).toBeLessThan(panel.textContent!.indexOf(openPromotion.phaseMessage));
  });

  it('shows the audit trail', async () => {
    await renderWithApis(<EntityLadderContent />, { ladderApi: mockLadderApi(), entity: enrolledEntity });
    const trail = await screen.findByRole('list', { name: 'Audit trail' });
    expect(within(trail).getByText(/Checking → Awaiting approval/)).toBeInTheDocument();
  });

  it('refetches when the backend signals a change of the entity', async () => {
    const api = mockLadderApi();
    const signals = mockSignalApi();
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity, signalApi: signals.api });
    await screen.findByRole('button', { name: 'Approve' });
    const before = api.getEntityLadder.mock.calls.length;
    act(() => signals.publish(ladderEntityChannel(ENTITY_REF), { entityRef: ENTITY_REF, change: 'approval' }));
    await waitFor(() => expect(api.getEntityLadder.mock.calls.length).toBeGreaterThan(before));
  });

  it('explains how to enroll an entity that is not on a ladder', async () => {
    await renderWithApis(<EntityLadderContent />, { ladderApi: mockLadderApi(), entity: plainEntity });
    expect(screen.getByTestId('ladder-empty-state')).toBeInTheDocument();
  });

  it('says what to do when the ladder cannot be loaded', async () => {
    const api = mockLadderApi({ getEntityLadder: jest.fn().mockRejectedValue(new Error('network down')) });
    await renderWithApis(<EntityLadderContent />, { ladderApi: api, entity: enrolledEntity });
    expect(await screen.findByRole('alert')).toHaveTextContent(/network down.*Check that the ladder backend is running/);
  });
});
