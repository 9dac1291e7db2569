import path from 'node:path';
import type {
  AuthService,
  DatabaseService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { EventsService } from '@backstage/plugin-events-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  LadderConfig,
  promotionCreatePermission,
} from '@khal/plugin-ladder-common';
import type {
  ClusterStateProvider,
  LadderGate,
  SettingsSource,
} from '@khal/plugin-ladder-node';
import { AuditReplay } from '../replay/AuditReplay';
import { DatabaseLadderStore } from '../database/DatabaseLadderStore';
import { Redactor } from '../evidence/Redactor';
import { createAttestedSettingsSource } from '../gates/attestedSettingsSource';
import { ClusterStateCache } from './ClusterStates';
import { ManifestReader } from '../manifest/ManifestReader';
import { SourceResolver } from '../sources/SourceResolver';
import { ChangeView } from '../changes/ChangeView';
import { CommitLog } from '../changes/CommitLog';
import { DeployPlanner, kubernetesClusterNames } from './DeployPlanner';
import { DriftMonitor } from './DriftMonitor';
import { EntityLadderView } from './EntityLadderView';
import { EvidenceIntake } from './EvidenceIntake';
import { GroupMemberships } from './GroupMemberships';
import { LadderEntities } from './LadderEntities';
import { SignalAudience } from '../access/SignalAudience';
import { LadderNotifier } from './LadderNotifier';
import { LadderOverview } from './LadderOverview';
import { PromotionCommands } from './PromotionCommands';
import { PromotionEngine } from './PromotionEngine';
import { LadderMetrics } from './LadderMetrics';
import { DeliveryInsights } from './DeliveryInsights';
import { PromotionViews } from './PromotionViews';
import { PermissionDecisions } from '../access/PermissionDecisions';
import { BreakGlassCommands } from '../policy/BreakGlassCommands';
import { PolicyCommands } from '../policy/PolicyCommands';

/** Builds the engine's services from platform services and the parsed config. */
export async function createLadderServices(deps: {
  config: RootConfigService;
  ladderConfig: LadderConfig;
  logger: LoggerService;
  database: DatabaseService;
  auth: AuthService;
  permissions: PermissionsService;
  urlReader: UrlReaderService;
  catalog: CatalogService;
  notifications?: NotificationService;
  signals?: SignalsService;
  events?: EventsService;
  gates: ReadonlyMap<string, LadderGate>;
  settingsSources: SettingsSource[];
  clusterState: () => ClusterStateProvider | undefined;
  /** Backstage's MetricsService (alpha): the plugin's meter, exported by the backend. */
  metrics?: MetricsService;
  /** The redactor of the plugin's logger and auditor; absent: one of its own. */
  redactor?: Redactor;
  /** The clock of the time rules (expiry); tests move it. */
  now?: () => Date;
}) {
  const { ladderConfig: config, logger } = deps;
  const store = await DatabaseLadderStore.create({ database: deps.database });
  const metrics = deps.metrics && new LadderMetrics(deps.metrics, store);
  const redactor = deps.redactor ?? new Redactor();
  const decisions = new PermissionDecisions(deps.permissions, {
    ttlMs: config.permissionDecisionTtlMs,
  });
  const entities = new LadderEntities(
    deps.catalog,
    deps.auth,
    config,
    undefined,
    decisions,
  );
  const memberships = new GroupMemberships(deps.catalog, deps.auth);
  const audience = new SignalAudience({ entities, operatorsGroup: config.operatorsGroup });
  const clusterCache = new ClusterStateCache({
    maxAgeMs: config.clusterStateMaxAgeMs,
  });
  const notifier = new LadderNotifier({
    clusterCache,
    logger,
    signals: deps.signals,
    events: deps.events,
    notifications: deps.notifications,
    audience: entityRef => audience.of(entityRef),
  });
  const localRepositoriesRoot = path.resolve(
    config.localRepositoriesRoot ?? '.',
  );
  const manifests = new ManifestReader({
    urlReader: deps.urlReader,
    logger,
    localRepositoriesRoot,
  });
  const engine = new PromotionEngine({
    store,
    gates: deps.gates,
    settingsSources: [
      createAttestedSettingsSource(store, deps.settingsSources),
      ...deps.settingsSources,
    ],
    manifests,
    entities,
    memberships,
    notifier,
    logger,
    gateTimeoutMs: config.gateTimeoutMs,
    clusterState: deps.clusterState,
    metrics,
    expiry: config.expiry,
    now: deps.now,
  });
  const drift = new DriftMonitor({
    store,
    notifier,
    logger,
    clusterState: deps.clusterState,
    clusterCache,
  });
  const views = new PromotionViews({ store, memberships, entities });
  const changes = new ChangeView({
    store,
    entities,
    manifests,
    engine,
    commits: new CommitLog({ logger, localRepositoriesRoot }),
  });
  const evidence = new EvidenceIntake({
    store,
    entities,
    manifests,
    redactor,
    engine,
    notifier,
    logger,
    maxBytes: config.evidence.maxBytes,
    metrics,
  });
  const commands = new PromotionCommands({
    config,
    store,
    engine,
    entities,
    memberships,
    notifier,
    redactor,
    logger,
    drift,
    changes,
    manifests,
    evidence,
  });
  const policy = new PolicyCommands({
    config,
    store,
    engine,
    entities,
    memberships,
    notifier,
    redactor,
    logger,
  });
  const breakGlass = new BreakGlassCommands({
    config,
    store,
    engine,
    entities,
    memberships,
    notifier,
    redactorFor: p => commands.redactorForPromotion(p),
  });
  return {
    store,
    notifier,
    metrics,
    breakGlass,
    replay: new AuditReplay(await deps.database.getClient()),
    sources: new SourceResolver({ catalog: deps.catalog, manifests, localRepositoriesRoot }),
    insights: new DeliveryInsights({
      store,
      catalog: deps.catalog,
      auth: deps.auth,
      config,
    }),
    redactor,
    policy,
    entities,
    decisions,
    memberships,
    engine,
    views,
    commands,
    drift,
    changes,
    entityView: new EntityLadderView({
      store,
      entities,
      engine,
      views,
      logger,
      clusterState: deps.clusterState,
      gates: deps.gates,
      gateTimeoutMs: config.gateTimeoutMs,
      drift,
      clusterCache,
      memberships,
      operatorsGroup: config.operatorsGroup,
    }),
    overview: new LadderOverview({
      catalog: deps.catalog,
      auth: deps.auth,
      store,
      config,
      entities,
    }),
    planner: new DeployPlanner({
      store,
      entities,
      manifests,
      engine,
      memberships,
      operatorsGroup: config.operatorsGroup,
      dryRunMaxAgeMs: config.dryRunMaxAgeHours * 3_600_000,
      clusterNames: kubernetesClusterNames(deps.config),
      mayCreate: async (caller, entityRef) => {
        const [decision] = await deps.permissions.authorize(
          [{ permission: promotionCreatePermission, resourceRef: entityRef }],
          { credentials: caller.credentials },
        );
        return decision.result === AuthorizeResult.ALLOW;
      },
    }),
    evidence,
  };
}
