/*
 * A ladder backend in its own process, for the kill-and-restart fault: started with
 * `node --require @backstage/cli/config/nodeTransform.cjs ladderBackendMain.ts` (TypeScript through the
 * CLI's SWC hook, the way `backstage-cli package start` runs backends), on the database named by
 * LADDER_FAULT_SQLITE (a SQLite file) or LADDER_FAULT_PG (a PostgreSQL connection as JSON). It
 * prints `listening <port>` once it serves, and `gate <promotion id> <rung> <mode>` whenever the
 * `fault-hang` gate starts evaluating. In the gate mode named by LADDER_FAULT_HANG (`entry` or
 * `verify`) that gate never answers, so the parent can kill the process while a promotion is
 * half-way; otherwise it passes. LADDER_PROCESS_LADDER (ladder config as JSON) and
 * LADDER_PROCESS_ENTITIES (catalog entities as JSON) replace the kill test's ladder and the
 * fixture's catalog, so other suites (the two-replica race) run real processes too.
 */
import knexFactory from 'knex';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { ladderGatesExtensionPoint } from '@khal/plugin-ladder-node';
// A test harness like the *.test.ts files beside it (never built or shipped), so it uses the fixture too.
// eslint-disable-next-line no-restricted-imports
import { startLadderBackend } from '../__testUtils__/ladderFixture';

/** The ladder of the kill test: an approval rung whose entry and proof both pass through the switch. */
export const killLadder = {
  gateTimeoutMs: 20000,
  ladders: [
    {
      id: 'khal',
      title: 'Kill',
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
          mutationPolicy: 'self',
          entryGates: ['fault-hang'],
        },
        {
          id: 'hml',
          title: 'Customer HML',
          runtime: 'pm2-mirror',
          host: 'mirror',
          mutationPolicy: 'approval',
          approvers: {
            groups: ['group:default/customer-stakeholders'],
            minimum: 1,
          },
          proofChecks: ['fault-hang'],
        },
      ],
    },
  ],
};

async function main() {
  const knex = process.env.LADDER_FAULT_PG
    ? knexFactory({
        client: 'pg',
        connection: JSON.parse(process.env.LADDER_FAULT_PG),
        pool: { min: 0, max: 5 },
      })
    : knexFactory({
        client: 'better-sqlite3',
        connection: { filename: process.env.LADDER_FAULT_SQLITE! },
        useNullAsDefault: true,
      });
  const hangMode = process.env.LADDER_FAULT_HANG;
  const gateModule = createBackendModule({
    pluginId: 'ladder',
    moduleId: 'fault-hang-gate',
    register(env) {
      env.registerInit({
        deps: { gates: ladderGatesExtensionPoint },
        async init({ gates }) {
          gates.addGate({
            id: 'fault-hang',
            title: 'Fault switch',
            async evaluate(context) {
              process.stdout.write(
                `gate ${context.promotion?.id ?? '-'} ${context.rung.id} ${
                  context.mode
                }\n`,
              );
              if (context.mode === hangMode) await new Promise(() => undefined);
              return { status: 'passed', summary: 'the switch is off' };
            },
          });
        },
      });
    },
  });
  const backend = await startLadderBackend({
    repoDir: process.env.LADDER_FAULT_REPO!,
    knex,
    configOverrides: process.env.LADDER_PROCESS_LADDER
      ? JSON.parse(process.env.LADDER_PROCESS_LADDER)
      : killLadder,
    ...(process.env.LADDER_PROCESS_ENTITIES
      ? { entities: JSON.parse(process.env.LADDER_PROCESS_ENTITIES) }
      : {}),
    extraFeatures: [gateModule],
  });
  const address = backend.server.address();
  process.stdout.write(
    `listening ${
      typeof address === 'object' && address ? address.port : address
    }\n`,
  );
}

main().catch(error => {
  process.stderr.write(`ladder process failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
