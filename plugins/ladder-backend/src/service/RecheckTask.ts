import type {
  AuditorService,
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { PromotionPhase } from '@khal/plugin-ladder-common';
import type { LadderStore } from '../database/LadderStore';
import type { LadderEntities } from './LadderEntities';
import type { PromotionEngine } from './PromotionEngine';
import type { DriftMonitor } from './DriftMonitor';

/**
 * Phases a re-check can move; `Checking` and `Approved` are included so a restart loses nothing,
 * `Approved` and `Deploying` because their deploy is observed (a report, a rollout) after the fact.
 */
const RECHECK_PHASES: PromotionPhase[] = [
  'Checking',
  'Blocked',
  'AwaitingApproval',
  'Approved',
  'Deploying',
  'Verifying',
];
const BATCH = 200;
/**
 * Entities whose clusters one run reads for drift. Each costs one cluster read per Kubernetes
 * rung, so this paces the background load: at the default interval (15 s) about 3 entities a
 * second, a full pass over 1,000 placed entities in 5 minutes (10,000 in 50). Entities people
 * look at are reconciled sooner (an entity read that sees drift records it right after answering),
 * and requests that move a rung check its cluster themselves.
 */
const DRIFT_BATCH = 50;

/** The actor recorded for transitions the scheduler makes. */
export const RECHECK_ACTOR = 'service:ladder-recheck';

/**
 * One run of the global re-check: moves open promotions as far as their gates allow, refreshes
 * pending proofs of placements and looks for drift on Kubernetes rungs. Each item is isolated; a database error stops this run (logged),
 * never the schedule, so the next run starts fresh.
 */
export async function runRecheck(deps: {
  store: LadderStore;
  engine: PromotionEngine;
  entities: LadderEntities;
  logger: LoggerService;
  auth: AuthService;
  /** When given, each run also compares what the clusters run with the placements (drift). */
  drift?: DriftMonitor;
  /** When given, each phase change the scheduler makes is also reported to the auditor. */
  auditor?: AuditorService;
  /** The clock deciding which promotions are due (tests move it). */
  now?: () => Date;
}): Promise<{ promotions: number; placements: number; drifts?: number }> {
  const { store, engine, logger } = deps;
  let promotions = 0;
  let placements = 0;
  let drifts = 0;
  try {
    for (const p of await store.listPromotionsToRecheck({
      phases: RECHECK_PHASES,
      // Promotions a time rule released (a soak ended, a window opened) come first.
      dueBy: (deps.now?.() ?? new Date()).toISOString(),
      limit: BATCH,
    })) {
      try {
        const after = await engine.advance(p.id, RECHECK_ACTOR);
        promotions += 1;
        if (deps.auditor && after.phase !== p.phase) {
          // The ladder's own audit rows are written with the transition; this tells the platform's
          // auditor too, as the routes do for the transitions people make.
          const event = await deps.auditor.createEvent({
            eventId: 'promotion-recheck',
            severityLevel: 'medium',
            meta: {
              actor: RECHECK_ACTOR,
              promotionId: p.id,
              entityRef: p.entityRef,
              toRung: p.toRung,
              ref: p.ref,
              fromPhase: p.phase,
              toPhase: after.phase,
            },
          });
          await event.success();
        }
      } catch (error) {
        logger.warn(`re-check of promotion ${p.id} failed: ${error}`);
      }
    }
    for (const placement of await store.listPlacementsToProve(BATCH)) {
      try {
        const target = await deps.entities.load(placement.entityRef);
        const index = target.ladder.rungs.findIndex(
          r => r.id === placement.rungId,
        );
        if (index >= 0) await engine.proveRung(target, index, placement.ref);
        placements += 1;
      } catch (error) {
        logger.warn(
          `proof of ${placement.entityRef} on ${placement.rungId} failed: ${error}`,
        );
      }
    }
    if (deps.drift) {
      // Entity reads never write drift on their request path; this is where drift is recorded (and
      // its owners told) for every placed entity in turn.
      const drift = deps.drift;
      for (const entityRef of await drift.nextToObserve(DRIFT_BATCH)) {
        try {
          const target = await deps.entities.load(entityRef);
          if (!target.ladder.rungs.some(r => r.kubernetes)) continue;
          drifts += (await drift.observe(target, undefined, { recent: true }))
            .size;
        } catch (error) {
          logger.warn(`drift check of ${entityRef} failed: ${error}`);
        }
      }
    }
  } catch (error) {
    logger.error(`ladder re-check run failed; the next run retries: ${error}`);
  }
  return deps.drift
    ? { promotions, placements, drifts }
    : { promotions, placements };
}
