import type { Entity } from '@backstage/catalog-model';
import {
  LADDER_ANNOTATION,
  type AuditEvent,
  type ChangesResponse,
  type DeliveryInsights,
  type DeployPlan,
  type EntityLadderResponse,
  type LadderSummary,
  type OverviewResponse,
  type Promotion,
  type RungSummary,
  type RungView,
} from '@khal/plugin-ladder-common';

/*
 * Test data of the ladder frontend, typed by the REST contract of @khal/plugin-ladder-common, so
 * a contract change breaks the fixtures at compile time instead of silently passing tests.
 */

export const ENTITY_REF = 'component:default/orders-api';
export const ALICE = 'user:default/alice';
export const SAM = 'user:default/sam';
export const OLGA = 'user:default/olga';

const rung = (r: Partial<RungSummary> & Pick<RungSummary, 'id' | 'title' | 'runtime'>): RungSummary => ({
  aliases: [],
  audience: 'FDEs',
  purpose: '',
  optional: false,
  mutationPolicy: 'self',
  entryGates: [],
  proofChecks: [],
  commands: {},
  ...r,
});

export const rungs: RungSummary[] = [
  rung({ id: 'local', title: 'Local', runtime: 'pm2', aliases: ['dev-local'], audience: 'every FDE' }),
  rung({ id: 'mirrored', title: 'Mirrored dev-local', runtime: 'pm2-mirror', optional: true, host: 'code-host' }),
  rung({
    id: 'dev',
    title: 'Shared dev',
    runtime: 'kind',
    mutationPolicy: 'after-dry-run',
    kubernetes: { cluster: 'kind-dev', namespace: 'khal-orders-api' },
    entryGates: [{ id: 'previous-rung-proven' }, { id: 'dry-run-clean', title: 'Dry-run clean' }],
    proofChecks: [{ id: 'kubernetes-rollout', title: 'Rollout complete' }],
    commands: {
      logs: 'kubectl --context kind-dev -n khal-orders-api logs deploy/orders-api',
      rollback: 'khal promote orders-api --to dev --rollback',
    },
  }),
  rung({
    id: 'hml',
    title: 'Customer HML',
    runtime: 'k3s',
    audience: 'customer stakeholders',
    mutationPolicy: 'approval',
    approvers: {
      groups: ['group:default/customer-stakeholders'],
      minimum: 1,
      rules: [
        {
          title: '1 of group:default/customer-stakeholders',
          groups: ['group:default/customer-stakeholders'],
          minimum: 1,
        },
      ],
    },
  }),
  rung({
    id: 'prod',
    title: 'Production',
    runtime: 'oke',
    audience: 'operators',
    mutationPolicy: 'operators',
    approvers: {
      groups: ['group:default/operators'],
      minimum: 2,
      rules: [{ title: '2 of group:default/operators', groups: ['group:default/operators'], minimum: 2 }],
    },
  }),
];

export const ladder: LadderSummary = {
  id: 'khal',
  title: 'KhalOS ladder',
  description: 'local → mirrored → dev → hml → prod',
  rungs,
};

const placedAt = new Date(Date.now() - 3 * 24 * 3600 * 1000).toISOString();

export const rungViews: RungView[] = [
  {
    rung: rungs[0],
    placement: {
      entityRef: ENTITY_REF,
      ladderId: 'khal',
      rungId: 'local',
      ref: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      via: 'enrollment',
      promotionId: null,
      placedAt,
      placedBy: ALICE,
    },
    proof: [
      {
        gateId: 'manifest-valid',
        title: 'Manifest valid',
        status: 'passed',
        summary: 'khal-app.json is valid',
        checkedAt: placedAt,
        evidenceIds: ['ev-1'],
      },
    ],
    status: 'proven',
    statusReason: 'a1b2c3d passed its proof check',
  },
  {
    rung: rungs[1],
    placement: null,
    proof: [],
    status: 'empty',
    statusReason: 'nothing has been placed on this rung yet',
  },
  {
    rung: rungs[2],
    placement: {
      entityRef: ENTITY_REF,
      ladderId: 'khal',
      rungId: 'dev',
      ref: '9f8e7d6c5b4a',
      via: 'promotion',
      promotionId: 'p-0',
      placedAt,
      placedBy: ALICE,
    },
    proof: [
      {
        gateId: 'kubernetes-rollout',
        title: 'Rollout complete',
        status: 'failed',
        summary: 'rollout exceeded its deadline',
        howToFix: 'check the pod logs',
        checkedAt: placedAt,
      },
    ],
    status: 'drifted',
    statusReason: 'the cluster runs 1234567 but the ladder placed 9f8e7d6 here',
    drift: { since: placedAt, running: '1234567', expected: '9f8e7d6c5b4a' },
  },
  { rung: rungs[3], placement: null, proof: [], status: 'empty', statusReason: 'nothing has been placed on this rung yet' },
  { rung: rungs[4], placement: null, proof: [], status: 'empty', statusReason: 'nothing has been placed on this rung yet' },
];

export const openPromotion: Promotion = {
  id: 'p-1',
  entityRef: ENTITY_REF,
  ladderId: 'khal',
  fromRung: 'dev',
  toRung: 'hml',
  ref: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  kind: 'promotion',
  reason: 'ready for acceptance',
  phase: 'AwaitingApproval',
  phaseMessage: 'waiting for 1 approval from customer-stakeholders',
  requestedBy: ALICE,
  createdAt: placedAt,
  updatedAt: placedAt,
  version: 3,
  gates: [
    {
      gateId: 'previous-rung-proven',
      title: 'Previous rung proven',
      status: 'passed',
      summary: 'a1b2c3d is proven on Shared dev',
      checkedAt: placedAt,
    },
    {
      gateId: 'evidence',
      title: 'Acceptance evidence',
      status: 'failed',
      summary: 'no acceptance evidence for a1b2c3d',
      howToFix: 'record acceptance evidence: khal evidence add --kind acceptance',
      checkedAt: placedAt,
    },
    {
      gateId: 'approval',
      title: 'Approval',
      status: 'pending',
      summary: '0 of 1 approvals',
      checkedAt: placedAt,
    },
  ],
  approvals: [],
  approvalRequirement: {
    groups: ['group:default/customer-stakeholders'],
    minimum: 1,
    given: 0,
    eligible: [SAM],
    rules: [
      {
        title: '1 of group:default/customer-stakeholders',
        groups: ['group:default/customer-stakeholders'],
        minimum: 1,
        approvedBy: [],
        eligible: [SAM],
        satisfied: false,
      },
    ],
  },
};

export const entityLadder: EntityLadderResponse = {
  entityRef: ENTITY_REF,
  ladder,
  rungs: rungViews,
  openPromotions: [openPromotion],
  next: {
    action: 'approve',
    toRung: 'hml',
    ref: 'a1b2c3d',
    promotionId: 'p-1',
    gatesPassed: 1,
    gatesTotal: 3,
    waitingFor: ['group:default/customer-stakeholders'],
    summary: 'Next: promote a1b2c3d to Customer HML — 1 of 3 gates pass — waiting for an approval',
  },
};

export const deployPlan: DeployPlan = {
  entityRef: ENTITY_REF,
  ladderId: 'khal',
  target: 'hml',
  rung: { id: 'hml', title: 'Customer HML', index: 3 },
  host: null,
  controlPlane: 'k3s-hml',
  runtime: 'k3s',
  mechanism: 'helm upgrade --install',
  manifest: { name: 'orders-api', ref: 'a1b2c3d', digest: 'sha256:abc' },
  settings: [
    { name: 'DATABASE_URL', required: true, secret: true, supplied: true },
    { name: 'LOG_LEVEL', required: false, secret: false, supplied: null },
  ],
  mutationPolicy: {
    policy: 'approval',
    description: 'cleared approvals required',
    allowedNow: false,
    reason: 'needs 1 approval from customer-stakeholders',
  },
  commands: {
    logs: 'kubectl --context k3s-hml -n khal-orders-api logs deploy/orders-api',
    status: 'khal status orders-api --rung hml',
    rollback: 'khal promote orders-api --to hml --rollback',
  },
  planDigest: `sha256:${'a'.repeat(64)}`,
};

export const auditEvents: AuditEvent[] = [
  {
    id: 'a-1',
    entityRef: ENTITY_REF,
    promotionId: 'p-1',
    action: 'promotion.created',
    actor: ALICE,
    fromPhase: null,
    toPhase: 'Checking',
    detail: {},
    createdAt: placedAt,
  },
  {
    id: 'a-2',
    entityRef: ENTITY_REF,
    promotionId: 'p-1',
    action: 'promotion.transition',
    actor: 'system',
    fromPhase: 'Checking',
    toPhase: 'AwaitingApproval',
    detail: {},
    createdAt: placedAt,
  },
];

export const overview: OverviewResponse = {
  ladders: [ladder],
  items: [
    {
      entityRef: ENTITY_REF,
      title: 'Orders API',
      owner: 'group:default/team-orders',
      system: 'system:default/commerce',
      ladderId: 'khal',
      cells: {
        local: { ref: 'a1b2c3d', status: 'proven', placedAt, openPromotion: null },
        dev: {
          ref: '9f8e7d6',
          status: 'drifted',
          placedAt,
          openPromotion: null,
          drift: { since: placedAt, running: '1234567', expected: '9f8e7d6c5b4a' },
        },
        hml: {
          ref: null,
          status: 'empty',
          placedAt: null,
          openPromotion: { id: 'p-1', phase: 'AwaitingApproval', ref: 'a1b2c3d' },
        },
      },
    },
    {
      entityRef: 'component:default/billing-worker',
      title: 'Billing worker',
      owner: 'group:default/team-billing',
      system: null,
      ladderId: 'khal',
      cells: {
        local: { ref: 'ffee001', status: 'proving', placedAt, openPromotion: null },
      },
    },
  ],
  totalItems: 2,
};

/** What promoting a1b2c3d onto hml changes compared with the ref on Shared dev. */
export const changes: ChangesResponse = {
  entityRef: ENTITY_REF,
  from: { rung: 'dev', ref: '9f8e7d6c5b4a' },
  to: { rung: 'hml', ref: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' },
  target: 'hml',
  commits: [
    {
      sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      subject: 'Add the payments gateway setting',
      author: 'Alice Doe',
      date: placedAt,
    },
    {
      sha: 'bbbbccccddddeeeeffff00001111222233334444',
      subject: 'Log requests at info',
      author: 'Sam Roe',
      date: placedAt,
    },
  ],
  manifestDiff: {
    settingsAdded: [{ name: 'PAYMENTS_API_KEY', required: true, secret: true }],
    settingsRemoved: [{ name: 'LEGACY_FLAG', required: false, secret: false }],
    settingsChanged: [
      { name: 'LOG_LEVEL', changes: [{ field: 'required', from: false, to: true }] },
    ],
    runtimeChanges: [{ field: 'runtime.port', from: 8080, to: 8081 }],
    identityChanges: [],
    deployChanges: [],
  },
  settingsForTarget: [
    { name: 'DATABASE_URL', required: true, secret: true, supplied: true, newlyRequired: false },
    { name: 'PAYMENTS_API_KEY', required: true, secret: true, supplied: false, newlyRequired: true },
    { name: 'LOG_LEVEL', required: true, secret: false, supplied: null, newlyRequired: true },
  ],
};

/** A catalog entity on the `khal` ladder. */
export const enrolledEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-api',
    namespace: 'default',
    annotations: { [LADDER_ANNOTATION]: 'khal' },
  },
  spec: { type: 'service', owner: 'group:default/team-orders', lifecycle: 'production' },
};

/** A catalog entity on no ladder. */
export const plainEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'legacy-app', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-orders', lifecycle: 'production' },
};

const ordersInsights = {
  key: ENTITY_REF,
  leadTime: { count: 2, medianSeconds: 3 * 3600 + 600, p90Seconds: 26 * 3600 },
  deployments: [
    { rungId: 'local', count: 6, perWeek: 1.4 },
    { rungId: 'dev', count: 3, perWeek: 0.7 },
    { rungId: 'prod', count: 2, perWeek: 0.47 },
  ],
  changes: 12,
  failures: 3,
  changeFailureRate: 0.25,
  timeToRestore: { count: 2, medianSeconds: 1500, p90Seconds: 2400, open: 1 },
  approvalWait: { count: 4, medianSeconds: 5400, p90Seconds: 86400 },
};

/** Insights of the orders team's one service over the last 30 days. */
export const insights: DeliveryInsights = {
  from: '2026-11-03T00:00:00.000Z',
  to: '2026-12-03T00:00:00.000Z',
  days: 30,
  totals: { ...ordersInsights, key: 'all' },
  teams: [{ ...ordersInsights, key: 'group:default/team-orders' }],
  entities: [ordersInsights],
};
