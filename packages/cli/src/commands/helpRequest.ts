import { Command } from 'commander';
import { answer, UnresolvedFactsError, type PortalClient } from '../client/portalClient';
import type { EntityLadderResponse, GateResult } from '../client/contract';
import { resolveTarget } from '../ladder/targetRung';
import { whomToAsk, type WhomToAsk } from '../output/whomToAsk';
import { resolveEntityRef } from '../workspace/appManifest';
import { resolveRef } from '../workspace/gitRef';
import {
  clientFor,
  fetchEntityLadder,
  ioFor,
  PortalOptions,
  printJson,
  withPortalOptions,
} from './common';

interface HelpRequestOptions extends PortalOptions {
  target: string;
  entity?: string;
  ref?: string;
}

/** The stable `--json` shape of `khal help-request` (documented in the README). */
export interface HelpRequestJson {
  entityRef: string;
  ladderId: string;
  rung: { id: string; title: string };
  ref: string;
  promotion: { id: string; phase: string } | null;
  failingGates: Array<{ gateId: string; title: string; status: string; summary: string; howToFix: string | null }>;
  evidenceIds: string[];
  planDigest: string | null;
  /** Why there is no plan digest (facts the portal cannot resolve), when there is none. */
  planProblem: string | null;
  whomToAsk: WhomToAsk;
  /** The message to send, as text: everything above, no secret values. */
  message: string;
}

/** Gates of the open promotion (entry) and of the rung's proof, that do not pass. */
function failingGates(entity: EntityLadderResponse, rungId: string, ref: string): HelpRequestJson['failingGates'] {
  const open = entity.openPromotions.find(p => p.toRung === rungId && p.ref === ref) ??
    entity.openPromotions.find(p => p.toRung === rungId);
  const view = entity.rungs.find(v => v.rung.id === rungId);
  const proof = view?.placement?.ref === ref ? view.proof : [];
  const seen = new Set<string>();
  return [...(open?.gates ?? []), ...proof]
    .filter((g: GateResult) => g.status !== 'passed')
    .filter(g => !seen.has(g.gateId) && seen.add(g.gateId))
    .map(g => ({ gateId: g.gateId, title: g.title, status: g.status, summary: g.summary, howToFix: g.howToFix ?? null }));
}

async function planDigestOf(
  client: PortalClient,
  query: { entityRef: string; target: string; ref: string },
): Promise<{ planDigest: string | null; planProblem: string | null }> {
  try {
    const plan = await answer(client.api.GET('/plan', { params: { query } }));
    return { planDigest: plan.planDigest, planProblem: null };
  } catch (error) {
    if (!(error instanceof UnresolvedFactsError)) throw error;
    return { planDigest: null, planProblem: `unresolved: ${error.facts.map(f => f.fact).join(', ')}` };
  }
}

export function helpMessage(json: Omit<HelpRequestJson, 'message'>): string {
  const lines = [
    `Help needed: ${json.entityRef} on ${json.rung.title} (${json.rung.id}, ladder ${json.ladderId})`,
    `Entity: ${json.entityRef}`,
    `Rung: ${json.rung.id}`,
    `SHA: ${json.ref}`,
    `Promotion: ${json.promotion ? `${json.promotion.id} (${json.promotion.phase})` : 'none open for this rung'}`,
    json.failingGates.length ? 'Failing gates:' : 'Failing gates: none',
    ...json.failingGates.map(
      g => `  - ${g.gateId} (${g.status}): ${g.summary}${g.howToFix ? ` — fix: ${g.howToFix}` : ''}`,
    ),
    `Evidence: ${json.evidenceIds.length ? json.evidenceIds.join(', ') : 'none recorded for this SHA'}`,
    `Plan digest: ${json.planDigest ?? `none (${json.planProblem})`}`,
    json.whomToAsk.lines[0],
  ];
  return lines.join('\n');
}

export async function buildHelpRequest(
  client: PortalClient,
  input: { entityRef: string; target: string; ref: string; entityGiven: boolean },
): Promise<HelpRequestJson> {
  const entity = await fetchEntityLadder(client, input.entityRef);
  const { rung } = resolveTarget(entity, input.target);
  const evidence = await answer(
    client.api.GET('/evidence', {
      params: { query: { entityRef: input.entityRef, rung: rung.id, ref: input.ref, limit: 20 } },
    }),
  );
  const plan = await planDigestOf(client, { entityRef: input.entityRef, target: rung.id, ref: input.ref });
  const open = entity.openPromotions.find(p => p.toRung === rung.id && p.ref === input.ref) ??
    entity.openPromotions.find(p => p.toRung === rung.id);
  const json: Omit<HelpRequestJson, 'message'> = {
    entityRef: entity.entityRef,
    ladderId: entity.ladder.id,
    rung: { id: rung.id, title: rung.title },
    ref: input.ref,
    promotion: open ? { id: open.id, phase: open.phase } : null,
    failingGates: failingGates(entity, rung.id, input.ref),
    evidenceIds: evidence.items.map(e => e.id),
    ...plan,
    whomToAsk: whomToAsk(rung, {
      target: input.target,
      ...(input.entityGiven ? { entityRef: input.entityRef } : {}),
    }),
  };
  return { ...json, message: helpMessage(json) };
}

export function registerHelpRequest(program: Command): void {
  withPortalOptions(
    program
      .command('help-request')
      .description(
        'print a ready help message for a rung: entity, rung, SHA, failing gates, evidence ids, plan digest and whom to send it to (no secret values)',
      )
      .requiredOption('--target <rung>', 'rung id or alias you are stuck on')
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)')
      .option('--ref <ref>', 'commit (default: git rev-parse HEAD)'),
  ).action(async (opts: HelpRequestOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const entityRef = resolveEntityRef(opts.entity, io.cwd);
    const ref = resolveRef({ ref: opts.ref }, io.cwd);
    const json = await buildHelpRequest(clientFor(opts, io), {
      entityRef,
      target: opts.target,
      ref,
      entityGiven: Boolean(opts.entity),
    });
    if (io.json) {
      printJson(io, json);
      return;
    }
    io.term.out(json.message);
    io.term.err('');
    io.term.err(`Send it to: ${json.whomToAsk.lines[0].replace(/^Who can unblock this: /, '')}`);
  });
}
