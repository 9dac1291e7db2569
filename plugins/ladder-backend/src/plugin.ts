import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { readDurationFromConfig } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { ladderPermissions, parseLadderConfig } from '@khal/plugin-ladder-common';
import {
  ClusterStateProvider,
  LadderGate,
  SettingsSource,
  ladderClusterStateExtensionPoint,
  ladderGatesExtensionPoint,
  ladderSettingsSourcesExtensionPoint,
} from '@khal/plugin-ladder-node';
import { createLadderServices } from './service/createLadderServices';
import { instrumentClusterState } from './service/LadderMetrics';
import { builtinGates } from './gates/builtinGates';
import { DEFAULT_DRY_RUN_MAX_AGE_HOURS } from './gates/dryRunAcceptance';
import { createRouter } from './router/createRouter';
import { Redactor } from './evidence/Redactor';
import { redactingAuditor } from './evidence/redactingAuditor';
import { redactingLogger } from './evidence/redactingLogger';
import { runRecheck } from './service/RecheckTask';
import { runReminders } from './policy/time/reminders';
import { DEFAULT_CONTENT_RETENTION_MS, runRetention } from './service/RetentionTask';
import { durationToMilliseconds } from '@backstage/types';
import { withCorrelationId } from './correlation/correlationId';
import { sendApprovalDigest } from './notifications/ApprovalDigest';

/**
 * The ladder backend plugin: the promotion engine behind `/api/ladder`.
 * This file only wires services; the logic lives in service/, gates/, database/ and router/.
 */
export const ladderPlugin = createBackendPlugin({
  pluginId: 'ladder',
  register(env) {
    const gates = new Map<string, LadderGate>();
    const settingsSources: SettingsSource[] = [];
    let clusterState: ClusterStateProvider | undefined;

    env.registerExtensionPoint(ladderGatesExtensionPoint, {
      addGate(...added) {
        for (const gate of added) {
          if (gates.has(gate.id)) throw new Error(`ladder gate "${gate.id}" is registered twice`);
          gates.set(gate.id, gate);
        }
      },
    });
    env.registerExtensionPoint(ladderSettingsSourcesExtensionPoint, {
      addSettingsSource(source) {
        settingsSources.push(source);
      },
    });
    env.registerExtensionPoint(ladderClusterStateExtensionPoint, {
      setClusterStateProvider(provider) {
        clusterState = provider;
      },
    });
    // The built-in gates go through the same door as everyone else's.
    let dryRunMaxAgeMs = DEFAULT_DRY_RUN_MAX_AGE_HOURS * 3_600_000;
    builtinGates({ dryRunMaxAgeMs: () => dryRunMaxAgeMs }).forEach(g => gates.set(g.id, g));

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        urlReader: coreServices.urlReader,
        auditor: coreServices.auditor,
        metrics: metricsServiceRef,
        catalog: catalogServiceRef,
        notifications: notificationService,
        signals: signalsServiceRef,
        events: eventsServiceRef,
      },
      async init(platform) {
        // Everything the plugin logs or audits is redacted first: log lines and audit events
        // repeat what came in (refs, gate output, errors echoing a request).
        const redactor = new Redactor();
        const deps = {
          ...platform,
          redactor,
          logger: redactingLogger(platform.logger, redactor),
          auditor: redactingAuditor(platform.auditor, redactor),
        };
        const ladderConfig = parseLadderConfig(deps.config.getOptional('ladder'), {
          knownGateIds: gates.keys(),
        });
        dryRunMaxAgeMs = ladderConfig.dryRunMaxAgeHours * 3_600_000;
        deps.permissionsRegistry.addPermissions(ladderPermissions);
        const services = await createLadderServices({
          ...deps,
          ladderConfig,
          gates,
          settingsSources,
          clusterState: () => clusterState,
        });
        if (clusterState && services.metrics) {
          clusterState = instrumentClusterState(clusterState, services.metrics);
        }

        deps.httpRouter.use(await createRouter({ ...deps, ...services, config: ladderConfig }));

        const frequency = deps.config.has('ladder.recheckInterval')
          ? readDurationFromConfig(deps.config, { key: 'ladder.recheckInterval' })
          : { seconds: 15 };
        await deps.scheduler.scheduleTask({
          id: 'ladder-recheck',
          scope: 'global',
          frequency,
          timeout: { minutes: 5 },
          // Each run is one correlation id: its audit rows, log lines and notifications share it.
          fn: () =>
            withCorrelationId(async () => {
              await runRecheck({ ...services, logger: deps.logger, auth: deps.auth, auditor: deps.auditor });
            }),
        });

        const reminders =
          ladderConfig.expiry.remindApproversAfter !== undefined ||
          ladderConfig.ladders.some(l => l.rungs.some(r => r.expiry?.remindApproversAfter !== undefined));
        if (reminders) {
          // Each promotion's reminder is claimed with a conditional update, so this stays one
          // reminder per interval even when a replica runs it while the global lock moves.
          await deps.scheduler.scheduleTask({
            id: 'ladder-approval-reminders',
            scope: 'global',
            frequency: { minutes: 1 },
            timeout: { minutes: 5 },
            fn: () =>
              withCorrelationId(async () => {
                await runReminders({ ...services, logger: deps.logger, config: ladderConfig });
              }),
          });
        }

        if (ladderConfig.approvalDigest) {
          await deps.scheduler.scheduleTask({
            id: 'ladder-approval-digest',
            scope: 'global',
            frequency: readDurationFromConfig(deps.config, { key: 'ladder.approvalDigest.frequency' }),
            initialDelay: { minutes: 1 },
            timeout: { minutes: 5 },
            fn: () =>
              withCorrelationId(async () => {
                await sendApprovalDigest({ ...services, notifications: deps.notifications, config: ladderConfig, logger: deps.logger });
              }),
          });
        }

        const retentionKey = 'ladder.evidence.contentRetention';
        const contentRetentionMs = deps.config.has(retentionKey)
          ? durationToMilliseconds(readDurationFromConfig(deps.config, { key: retentionKey }))
          : DEFAULT_CONTENT_RETENTION_MS;
        await deps.scheduler.scheduleTask({
          id: 'ladder-retention',
          scope: 'global',
          frequency: { hours: 1 },
          initialDelay: { minutes: 1 },
          timeout: { minutes: 10 },
          fn: () =>
            withCorrelationId(async () => {
              await runRetention({ store: services.store, logger: deps.logger, contentRetentionMs });
            }),
        });
      },
    });
  },
});
