import { Command } from 'commander';
import type {
  EntityLadderResponse,
  GateResult,
  Promotion,
} from '../client/contract';
import { mutationPolicyInWords } from '../ladder/mutationPolicy';
import { resolveTarget } from '../ladder/targetRung';
import { formatFields } from '../output/table';
import { whomToAsk, type WhomToAsk } from '../output/whomToAsk';
import { parseEntityRef, resolveEntityRef } from '../workspace/appManifest';
import {
  clientFor,
  CommandIo,
  fetchEntityLadder,
  ioFor,
  nextStepText,
  PortalOptions,
  printJson,
  shortRef,
  withPortalOptions,
} from './common';
import { gateMark, phaseText } from './promotionText';

interface ContextOptions extends PortalOptions {
  target: string;
  entity?: string;
  text?: boolean;
}

/** The stable `--json` shape of `khal context` (documented in the README). */
export interface ContextJson {
  entityRef: string;
  ladder: { id: string; title: string };
  target: string;
  rung: EntityLadderResponse['ladder']['rungs'][number];
  now: {
    ref: string | null;
    placedAt: string | null;
    via: string | null;
    status: string;
    statusReason: string;
    cluster: EntityLadderResponse['rungs'][number]['cluster'] | null;
  };
  openPromotion: Promotion | null;
  stillNeeds: Array<{
    gateId: string;
    title: string;
    status: string;
    summary: string;
    howToFix: string | null;
  }>;
  approvals: { given: number; minimum: number; eligible: string[] } | null;
  mutationPolicy: { policy: string; description: string };
  next: EntityLadderResponse['next'];
  /** Who can unblock the open promotion's unmet gates; null when nothing is blocked. */
  whomToAsk: WhomToAsk | null;
}

export function buildContext(
  entity: EntityLadderResponse,
  target: string,
): ContextJson {
  const { rung, view } = resolveTarget(entity, target);
  const open = entity.openPromotions.find(p => p.toRung === rung.id) ?? null;
  const unmet = (g: GateResult) => g.status !== 'passed';
  const req = open?.approvalRequirement;
  return {
    entityRef: entity.entityRef,
    ladder: { id: entity.ladder.id, title: entity.ladder.title },
    target,
    rung,
    now: {
      ref: view?.placement?.ref ?? null,
      placedAt: view?.placement?.placedAt ?? null,
      via: view?.placement?.via ?? null,
      status: view?.status ?? 'unknown',
      statusReason:
        view?.statusReason ?? 'the portal reported nothing for this rung',
      cluster: view?.cluster ?? null,
    },
    openPromotion: open,
    stillNeeds: (open?.gates ?? []).filter(unmet).map(g => ({
      gateId: g.gateId,
      title: g.title,
      status: g.status,
      summary: g.summary,
      howToFix: g.howToFix ?? null,
    })),
    approvals: req
      ? { given: req.given, minimum: req.minimum, eligible: req.eligible }
      : null,
    mutationPolicy: {
      policy: rung.mutationPolicy,
      description: mutationPolicyInWords(rung),
    },
    next: entity.next,
    whomToAsk: open?.gates.some(unmet) ? whomToAsk(rung, { target }) : null,
  };
}

/** The rung's namespace pattern with the entity's name filled in (the cluster state has the real one). */
function namespaceOf(pattern: string, entityRef: string): string {
  const e = parseEntityRef(entityRef);
  return pattern
    .replace(/\{\{\s*entity\.name\s*\}\}/g, e.name)
    .replace(/\{\{\s*entity\.namespace\s*\}\}/g, e.namespace);
}

export function printContext(io: CommandIo, c: ContextJson): void {
  const { paint } = io.term;
  const r = c.rung;
  const rungIndex =
    c.rung &&
    `${r.title} (${r.id}${
      r.aliases.length ? `, alias ${r.aliases.join(', ')}` : ''
    })`;
  const fields: Array<[string, string]> = [
    ['App', c.entityRef],
    ['Ladder', `${c.ladder.title} (${c.ladder.id})`],
    ['Target', `${c.target} → ${rungIndex}`],
    [
      'Runtime',
      `${r.runtime}${r.host ? ` on ${r.host}` : ''}${
        r.kubernetes
          ? ` — cluster ${r.kubernetes.cluster}, namespace ${
              c.now.cluster?.namespace ??
              namespaceOf(r.kubernetes.namespace, c.entityRef)
            }`
          : ''
      }`,
    ],
    ['Audience', r.audience],
    [
      'Runs now',
      c.now.ref
        ? `${shortRef(c.now.ref)} since ${c.now.placedAt} (via ${
            c.now.via
          }) — ${c.now.status}`
        : `nothing placed — ${c.now.status}`,
    ],
  ];
  if (c.now.statusReason) fields.push(['', c.now.statusReason]);
  if (c.now.cluster) {
    const cl = c.now.cluster;
    fields.push([
      'Cluster',
      cl.reachable
        ? `${cl.cluster}/${cl.namespace} runs ${shortRef(cl.runningRef)}${
            cl.rollout ? `, rollout ${cl.rollout}` : ''
          }`
        : paint(
            'red',
            `${cl.cluster} unreachable${cl.reason ? `: ${cl.reason}` : ''}`,
          ),
    ]);
  }
  fields.push(['Policy', c.mutationPolicy.description]);
  if (r.boundary) {
    if (r.boundary.useFor.length) fields.push(['Use for', r.boundary.useFor.join('; ')]);
    if (r.boundary.mustProvide.length) fields.push(['Must provide', r.boundary.mustProvide.join('; ')]);
    if (r.boundary.mustNotBe.length) fields.push(['Must not be', r.boundary.mustNotBe.join('; ')]);
  }
  for (const e of r.endpoints ?? []) fields.push([`Endpoint ${e.name}`, e.url]);
  const actions = Object.keys(r.lifecycle ?? {});
  if (actions.length) fields.push(['Environment', `khal env ${actions.join('|')} --target ${c.target}`]);
  if (c.openPromotion) {
    const p = c.openPromotion;
    fields.push([
      'Open promotion',
      `${p.id}: ${shortRef(p.ref)} → ${p.toRung}, ${phaseText(p.phase)}${
        p.phaseMessage ? ` — ${p.phaseMessage}` : ''
      }`,
    ]);
  } else {
    fields.push(['Open promotion', 'none']);
  }
  for (const line of formatFields(fields)) io.term.out(line);
  if (c.openPromotion) {
    if (c.stillNeeds.length) {
      io.term.out('');
      io.term.out(paint('bold', 'Still needs:'));
      for (const g of c.stillNeeds) {
        io.term.out(`  ${gateMark(io, g.status)} ${g.title}: ${g.summary}`);
        if (g.howToFix) io.term.out(`      fix: ${g.howToFix}`);
      }
    }
    if (c.approvals && c.approvals.given < c.approvals.minimum) {
      io.term.out(
        `  approvals ${c.approvals.given}/${c.approvals.minimum}${
          c.approvals.eligible.length
            ? ` — may approve: ${c.approvals.eligible.join(', ')}`
            : ''
        }`,
      );
    }
    for (const line of c.whomToAsk?.lines ?? []) io.term.out(line);
  }
  io.term.out('');
  io.term.out(`${paint('bold', 'Next:')} ${nextStepText(c.next.summary)}`);
}

export function registerContext(program: Command): void {
  withPortalOptions(
    program
      .command('context')
      .description(
        'the app, its ladder, the target rung, what runs there, the open promotion and the policy',
      )
      .requiredOption(
        '--target <rung>',
        'rung id or alias, e.g. dev or dev-local',
      )
      .option(
        '--entity <ref>',
        'entity ref (default: component:default/<name from khal-app.json>)',
      )
      .option('--text', 'print text for people (the default)'),
  ).action(async (opts: ContextOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const entityRef = resolveEntityRef(opts.entity, io.cwd);
    const client = clientFor(opts, io);
    const context = buildContext(
      await fetchEntityLadder(client, entityRef),
      opts.target,
    );
    if (io.json) printJson(io, context);
    else printContext(io, context);
  });
}
