/*
 * The ladder's services on a test database, without HTTP: for tests that drive the engine
 * through its commands (one writer, stop the line, replay). A short ladder: `local`, then `dev`,
 * which takes approvals from the customer stakeholders and is deployed by a claim.
 */
import path from 'node:path';
import type { Knex } from 'knex';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { parseLadderConfig } from '@khal/plugin-ladder-common';
import type { LadderGate } from '@khal/plugin-ladder-node';
import { callerFrom } from '../access/Caller';
import { builtinGates } from '../gates/builtinGates';
import { createLadderServices } from '../service/createLadderServices';
import { catalogEntities } from './ladderFixture';

export const ENGINE_ENTITY = 'component:default/orders-api';

/** A caller signed in as user:default/<name>. */
export const userCaller = (name: string) =>
  callerFrom(mockCredentials.user(`user:default/${name}`));

/** Local, then shared dev: `minimum` stakeholder approvals, and `devGates` as its entry gates. */
export function shortLadder(options: { minimum: number; devGates?: string[] }) {
  return {
    operatorsGroup: 'group:default/operators',
    ladders: [
      {
        id: 'khal',
        title: 'Short',
        rungs: [
          {
            id: 'local',
            title: 'Local',
            runtime: 'pm2',
            mutationPolicy: 'self',
            host: 'localhost',
          },
          {
            id: 'dev',
            title: 'Shared dev',
            runtime: 'pm2-mirror',
            host: 'mirror',
            mutationPolicy: 'approval',
            ...(options.devGates ? { entryGates: options.devGates } : {}),
            approvers: {
              groups: ['group:default/customer-stakeholders'],
              minimum: options.minimum,
            },
          },
        ],
      },
    ],
  };
}

/**
 * Builds the services on a database for a ladder and the app repository `repoDir` (a temp folder,
 * which is also the local repositories root), with the built-in gates and `extraGates`.
 */
export function engineServices(options: {
  ladder: ReturnType<typeof shortLadder>;
  repoDir: string;
  extraGates?: LadderGate[];
}) {
  const config = {
    ...options.ladder,
    localRepositoriesRoot: path.dirname(options.repoDir),
  };
  const gateList = [
    ...builtinGates({ dryRunMaxAgeMs: () => 24 * 3600 * 1000 }),
    ...(options.extraGates ?? []),
  ];
  const entities = catalogEntities(path.basename(options.repoDir));
  return (knex: Knex) =>
    createLadderServices({
      config: mockServices.rootConfig({ data: { ladder: config } }),
      ladderConfig: parseLadderConfig(config, {
        knownGateIds: gateList.map(g => g.id),
      }),
      logger: mockServices.logger.mock(),
      database: mockServices.database({ knex }),
      auth: mockServices.auth(),
      permissions: mockServices.permissions(),
      urlReader: mockServices.urlReader.mock(),
      catalog: catalogServiceMock({ entities }),
      gates: new Map(gateList.map(g => [g.id, g])),
      settingsSources: [],
      clusterState: () => undefined,
    });
}
