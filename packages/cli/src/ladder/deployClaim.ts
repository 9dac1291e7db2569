import type { MutationPolicy } from '@khal/plugin-ladder-common';
import type { DeployResultRequest, Promotion } from '../client/contract';
import {
  answer,
  idempotencyKey,
  type PortalClient,
} from '../client/portalClient';
import { CliError, ExitCode } from '../exitCodes';

/** Rungs whose deploys first claim an approved promotion (Approved → Deploying, single use). */
export function deployNeedsClaim(policy: MutationPolicy): boolean {
  return policy === 'approval' || policy === 'operators';
}

/** Whether `ref` (a full or abbreviated SHA, or the name the promotion was requested with) names its commit. */
function names(promotion: Promotion, ref: string): boolean {
  if (promotion.ref === ref || promotion.requestedRef === ref) return true;
  return /^[0-9a-f]{7,40}$/.test(ref) && promotion.ref.startsWith(ref);
}

/**
 * Claims the Approved promotion of exactly this entity, rung and commit, before anything runs.
 * The server decides (single use, audited); a refusal is the command's refusal. Returns the
 * claimed promotion, whose `ref` is the full commit SHA that must be deployed.
 */
export async function claimApprovedPromotion(
  client: PortalClient,
  target: { entityRef: string; rung: string; ref: string },
): Promise<Promotion> {
  const approved = await answer(
    client.api.GET('/promotions', {
      params: {
        query: { entityRef: target.entityRef, phase: 'Approved', limit: 50 },
      },
    }),
  );
  const promotion = approved.items.find(
    p => p.toRung === target.rung && names(p, target.ref),
  );
  if (!promotion) {
    throw new CliError(
      `refused: no approved promotion of ${target.ref} to ${target.rung} — request one (khal promote --to ${target.rung} --ref ${target.ref}) and deploy once it is approved`,
      ExitCode.Failed,
    );
  }
  try {
    return await answer(
      client.api.POST('/promotions/{id}/claim', {
        params: { path: { id: promotion.id }, header: idempotencyKey() },
        body: { toRung: target.rung, sha: promotion.ref },
      }),
    );
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `refused: could not claim promotion ${promotion.id} — ${why}`,
      ExitCode.Failed,
    );
  }
}

/** Reports the claimed deploy's outcome; the server records it as deploy-output evidence. */
export async function reportDeployResult(
  client: PortalClient,
  promotionId: string,
  result: DeployResultRequest,
): Promise<Promotion> {
  return answer(
    client.api.POST('/promotions/{id}/deploy-result', {
      params: { path: { id: promotionId } },
      body: result,
    }),
  );
}
