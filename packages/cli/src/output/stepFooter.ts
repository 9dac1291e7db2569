import type {
  EntityLadderResponse,
  Promotion,
  RungSummary,
} from '../client/contract';
import type { PortalClient } from '../client/portalClient';
import type { CommandIo } from '../commands/common';
import {
  fetchEntityLadder,
  nextStepText,
  shortRef,
} from '../commands/common';
import { whomToAskLine } from './whomToAskAdapter';

/**
 * The five facts every step of the FDE walk ends with, so that whoever reads the output (or a
 * script) knows where they are, what they may change, what proves it, what to run next and whom
 * to ask. Printed as labelled lines; `--json` carries the same object under `step`.
 */
export interface StepFacts {
  where: string;
  safeToChange: string;
  evidence: string;
  next: string;
  whomToAsk: string;
}

/** The labels, in print order; the walk test looks for each of them. */
export const STEP_LABELS: Record<keyof StepFacts, string> = {
  where: 'Where you are',
  safeToChange: 'Safe to change',
  evidence: 'Evidence',
  next: 'Next',
  whomToAsk: 'Whom to ask',
};

/** What a rung's mutation policy lets a person change, in a sentence. */
export function safeToChangeText(rung: RungSummary): string {
  switch (rung.mutationPolicy) {
    case 'self':
      return `${rung.id} is yours to change (policy self: your own machine); the rungs above only through promotions`;
    case 'after-dry-run':
      return `${rung.id} may be changed by any FDE once a clean dry-run of the same commit is recorded (policy after-dry-run: khal deploy --dry-run --target ${rung.id})`;
    case 'approval':
      return `${rung.id} changes only through an approved promotion that khal deploy claims (policy approval); nothing else there is yours to change`;
    case 'operators':
      return `${rung.id} is changed by operators only, through an approved promotion they claim (policy operators); nothing there is yours to change`;
    default:
      return `${rung.id}: policy ${rung.mutationPolicy}`;
  }
}

/** The proof of a rung as the portal judged it, with the evidence this step recorded. */
export function evidenceText(
  view: EntityLadderResponse,
  rungId: string,
  recorded: string[] = [],
): string {
  const rungView = view.rungs.find(r => r.rung.id === rungId);
  const proof = rungView?.proof ?? [];
  const checks = proof.length
    ? proof.map(p => `${p.gateId} ${p.status}`).join(', ')
    : 'no proof checks configured';
  const ids = [...new Set(proof.flatMap(p => p.evidenceIds ?? []))];
  return [
    ...(recorded.length ? [`recorded ${recorded.join(', ')}`] : []),
    `${rungId} is ${rungView?.status ?? 'unknown'} (${checks})`,
    ...(ids.length ? [`proof evidence ${ids.join(', ')}`] : []),
  ].join('; ');
}

/** The footer's facts from the entity's ladder view, after a step on `rungId`. */
export function stepFacts(
  view: EntityLadderResponse,
  rungId: string,
  options: { recorded?: string[]; ref?: string } = {},
): StepFacts {
  const index = view.ladder.rungs.findIndex(r => r.id === rungId);
  const rung = view.ladder.rungs[index];
  const placed = view.rungs.find(r => r.rung.id === rungId)?.placement?.ref;
  return {
    where: `${view.entityRef} on ${rung.title} (${rung.id}, rung ${
      index + 1
    } of ${view.ladder.rungs.length} of ladder ${view.ladder.id})${
      options.ref ? ` with ${shortRef(options.ref)}` : ''
    }; placed there: ${shortRef(placed)}`,
    safeToChange: safeToChangeText(rung),
    evidence: evidenceText(view, rungId, options.recorded),
    next: nextStepText(view.next.summary),
    whomToAsk: whomToAskLine(rung, view),
  };
}

/** Prints the footer (text mode only: under --json the facts go into the document). */
export function printStepFooter(io: CommandIo, facts: StepFacts): void {
  if (io.json) return;
  const width = Math.max(...Object.values(STEP_LABELS).map(l => l.length)) + 1;
  io.term.out('');
  for (const key of Object.keys(STEP_LABELS) as Array<keyof StepFacts>) {
    io.term.out(
      `${io.term.paint('bold', `${STEP_LABELS[key]}:`.padEnd(width))} ${
        facts[key]
      }`,
    );
  }
}

/** The footer after a promotion was requested or decided: its rung, its phase, its gates' evidence. */
export async function printPromotionFooter(
  client: PortalClient,
  io: CommandIo,
  promotion: Promotion,
): Promise<void> {
  if (io.json) return;
  const view = await fetchEntityLadder(client, promotion.entityRef);
  const gateEvidence = [
    ...new Set(promotion.gates.flatMap(g => g.evidenceIds ?? [])),
  ];
  printStepFooter(
    io,
    stepFacts(view, promotion.toRung, {
      ref: promotion.ref,
      recorded: [
        `promotion ${promotion.id} is ${promotion.phase}`,
        ...(gateEvidence.length
          ? [`its gates cite evidence ${gateEvidence.join(', ')}`]
          : []),
      ],
    }),
  );
}
