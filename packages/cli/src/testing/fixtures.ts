import type { LadderApiSchemas } from '@khal/plugin-ladder-common';
import type {
  DeployPlan,
  EntityLadderResponse,
  Evidence,
  Promotion,
  RungSummary,
  SourceResolution,
} from '../client/contract';

type LadderSummary = LadderApiSchemas['LadderSummary'];

/**
 * Answers of the ladder API as the OpenAPI contract types them; a unit test checks each against
 * the spec, strictly (no field the spec does not declare).
 */

export const ENTITY_REF = 'component:default/orders-api';
export const REF = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const NOW = '2026-11-23T10:00:00.000Z';

export const validManifest = {
  apiVersion: 'khal.ai/v1',
  name: 'orders-api',
  title: 'Orders API',
  owner: 'group:default/team-orders',
  runtime: {
    kind: 'node',
    build: 'npm run build',
    start: 'node dist/index.js',
    port: 8080,
  },
  env: [
    {
      name: 'DATABASE_URL',
      description: 'Orders database',
      required: true,
      secret: true,
    },
    {
      name: 'LOG_LEVEL',
      required: false,
      default: 'info',
      enum: ['debug', 'info', 'warn'],
    },
  ],
};

function rung(
  partial: Partial<RungSummary> &
    Pick<RungSummary, 'id' | 'title' | 'runtime' | 'mutationPolicy'>,
): RungSummary {
  return {
    aliases: [],
    audience: 'FDEs',
    purpose: '',
    optional: false,
    entryGates: [],
    proofChecks: [],
    commands: {},
    ...partial,
  };
}

export const ladder: LadderSummary = {
  id: 'khal',
  title: 'KhalOS ladder',
  description: 'local → dev → hml',
  rungs: [
    rung({
      id: 'local',
      title: 'Local',
      aliases: ['dev-local'],
      runtime: 'pm2',
      mutationPolicy: 'self',
      commands: { logs: 'pm2 logs orders-api' },
    }),
    rung({
      id: 'dev',
      title: 'Shared dev',
      runtime: 'kind',
      mutationPolicy: 'after-dry-run',
      kubernetes: { cluster: 'kind-dev', namespace: 'khal-orders-api' },
      entryGates: [{ id: 'previous-rung-proven' }, { id: 'dry-run-clean' }],
      commands: {
        deploy: 'helm upgrade --install orders-api deploy/chart',
        logs: 'kubectl logs deploy/orders-api',
      },
    }),
    rung({
      id: 'hml',
      title: 'Customer HML',
      runtime: 'k3s',
      mutationPolicy: 'approval',
      approvers: {
        groups: ['group:default/stakeholders'],
        minimum: 1,
        rules: [{ title: '1 of group:default/stakeholders', groups: ['group:default/stakeholders'], minimum: 1 }],
      },
      kubernetes: { cluster: 'hml', namespace: 'orders' },
    }),
  ],
};

export function promotion(partial: Partial<Promotion> = {}): Promotion {
  return {
    id: 'prm-1',
    entityRef: ENTITY_REF,
    ladderId: 'khal',
    fromRung: 'local',
    toRung: 'dev',
    ref: REF,
    kind: 'promotion',
    reason: '',
    phase: 'Checking',
    phaseMessage: '',
    requestedBy: 'user:default/alice',
    createdAt: NOW,
    updatedAt: NOW,
    version: 1,
    gates: [
      {
        gateId: 'previous-rung-proven',
        title: 'Local proven',
        status: 'passed',
        summary: 'proven on local',
        checkedAt: NOW,
      },
      {
        gateId: 'dry-run-clean',
        title: 'Dry-run clean',
        status: 'pending',
        summary: 'no clean dry-run for this ref',
        howToFix: 'khal deploy --target dev --dry-run',
        checkedAt: NOW,
      },
    ],
    approvals: [],
    approvalRequirement: null,
    ...partial,
  };
}

export function entityLadder(
  partial: Partial<EntityLadderResponse> = {},
): EntityLadderResponse {
  return {
    entityRef: ENTITY_REF,
    ladder,
    rungs: [
      {
        rung: ladder.rungs[0],
        placement: {
          entityRef: ENTITY_REF,
          ladderId: 'khal',
          rungId: 'local',
          ref: REF,
          via: 'promotion',
          promotionId: 'prm-0',
          placedAt: NOW,
          placedBy: 'user:default/alice',
        },
        proof: [],
        status: 'proven',
        statusReason: 'all proof checks pass',
      },
      {
        rung: ladder.rungs[1],
        placement: null,
        proof: [],
        status: 'empty',
        statusReason: 'nothing placed yet',
        cluster: {
          cluster: 'kind-dev',
          namespace: 'khal-orders-api',
          reachable: true,
          runningRef: null,
          checkedAt: NOW,
        },
      },
      {
        rung: ladder.rungs[2],
        placement: null,
        proof: [],
        status: 'empty',
        statusReason: 'nothing placed yet',
        cluster: {
          cluster: 'hml',
          namespace: 'orders',
          reachable: true,
          runningRef: null,
          checkedAt: NOW,
        },
      },
    ],
    openPromotions: [promotion()],
    next: {
      action: 'fix',
      toRung: 'dev',
      summary: 'Next: record a clean dry-run for dev',
    },
    ...partial,
  };
}

export function deployPlan(partial: Partial<DeployPlan> = {}): DeployPlan {
  return {
    entityRef: ENTITY_REF,
    ladderId: 'khal',
    target: 'dev',
    rung: { id: 'dev', title: 'Shared dev', index: 1 },
    host: null,
    controlPlane: 'kind-dev',
    runtime: 'kind',
    mechanism: 'helm upgrade + rollout status',
    manifest: { name: 'orders-api', ref: REF, digest: 'sha256:abc' },
    settings: [
      { name: 'DATABASE_URL', required: true, secret: true, supplied: true },
      { name: 'LOG_LEVEL', required: false, secret: false, supplied: false },
    ],
    mutationPolicy: {
      policy: 'after-dry-run',
      description: 'any FDE, once a clean dry-run is recorded for that ref',
      allowedNow: false,
      reason: 'no clean dry-run recorded for this ref',
    },
    commands: {
      deploy: 'helm upgrade --install orders-api deploy/chart',
      logs: 'kubectl -n khal-orders-api logs deploy/orders-api',
      status: 'kubectl -n khal-orders-api rollout status deploy/orders-api',
      open: 'open http://orders-api.dev.local',
      rollback: 'helm rollback orders-api',
      evidence: 'khal evidence push --kind logs --target dev -',
      // Runs in the test's shell: a dry-run command that succeeds.
      dryRun: 'echo server dry-run ok',
    },
    planDigest: `sha256:${'a'.repeat(64)}`,
    ...partial,
  };
}

/** GET /sources: the portal's answer for a repository URL and a ref. */
export function sourceResolution(
  partial: Partial<SourceResolution> = {},
): SourceResolution {
  return {
    entityRef: ENTITY_REF,
    repoUrl: 'https://git.example.com/acme/orders-api.git',
    ref: 'release',
    commit: REF,
    matchedBy:
      'backstage.io/source-location: url:https://git.example.com/acme/orders-api/tree/main/',
    manifest: {
      status: 'valid',
      name: 'orders-api',
      digest: 'b'.repeat(64),
      source:
        'https://git.example.com/acme/orders-api/tree/a1b2c3d/khal-app.json',
      problems: [],
      reason: null,
      howToFix: null,
    },
    ...partial,
  };
}

export function evidence(partial: Partial<Evidence> = {}): Evidence {
  return {
    id: 'ev-1',
    entityRef: ENTITY_REF,
    rungId: 'dev',
    ref: REF,
    kind: 'dry-run',
    summary: 'dry-run',
    digest: 'sha256:def',
    sizeBytes: 10,
    redactions: 0,
    createdBy: 'user:default/alice',
    createdAt: NOW,
    ...partial,
  };
}

/** A Backstage error body, as `@backstage/errors` serialises one. */
export function errorBody(name: string, message: string, status: number) {
  return {
    error: { name, message },
    request: { method: 'GET', url: '/' },
    response: { statusCode: status },
  };
}
