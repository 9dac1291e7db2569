import {
  isPromotionPhase,
  isTerminal,
  phaseLabel,
  phaseTone,
  StatusTone,
} from '@khal/plugin-ladder-common';
import type { Promotion } from '../client/contract';
import { Style } from '../output/terminal';
import { CommandIo, shortRef } from './common';
import { dueLine } from './timeRules';

const styleByTone: Record<StatusTone, Style> = {
  neutral: 'gray',
  info: 'cyan',
  progress: 'cyan',
  warning: 'yellow',
  success: 'green',
  error: 'red',
};

/** A phase as people read it ("Awaiting approval"); unknown phases are shown as sent. */
export function phaseText(phase: string): string {
  return isPromotionPhase(phase) ? phaseLabel(phase) : phase;
}

export function paintPhase(io: CommandIo, phase: string): string {
  return isPromotionPhase(phase)
    ? io.term.paint(styleByTone[phaseTone(phase)], phaseLabel(phase))
    : phase;
}

export function isTerminalPhase(phase: string): boolean {
  return isPromotionPhase(phase) && isTerminal(phase);
}

export function gateMark(io: CommandIo, status: string): string {
  switch (status) {
    case 'passed':
      return io.term.paint('green', '✔');
    case 'failed':
      return io.term.paint('red', '✘');
    case 'error':
      return io.term.paint('red', '!');
    default:
      return io.term.paint('yellow', '…');
  }
}

/** "3/5 gates pass" with approvals, for progress lines. */
export function gateProgress(p: Promotion): string {
  const passed = p.gates.filter(g => g.status === 'passed').length;
  const parts = [`${passed}/${p.gates.length} gates pass`];
  if (p.approvalRequirement) {
    parts.push(
      `approvals ${p.approvalRequirement.given}/${p.approvalRequirement.minimum}`,
    );
  }
  return parts.join(', ');
}

export function printPromotion(io: CommandIo, p: Promotion): void {
  io.term.out(
    `${io.term.paint('bold', p.id)}  ${
      p.kind === 'rollback' ? 'rollback' : 'promotion'
    } of ${p.entityRef} ${shortRef(p.ref)} → ${p.toRung}: ${paintPhase(
      io,
      p.phase,
    )}${p.phaseMessage ? ` — ${p.phaseMessage}` : ''}`,
  );
  if (p.breakGlass) {
    const b = p.breakGlass;
    const review = b.review
      ? `review acknowledged by ${b.review.by}`
      : `review waits for someone other than ${b.by}${
          Date.parse(b.reviewDueAt) < Date.now() ? ` — OVERDUE since ${b.reviewDueAt}` : ` (due ${b.reviewDueAt})`
        }`;
    io.term.out(io.term.paint('red', `  BREAK-GLASS by ${b.by}: ${b.reason}`));
    io.term.out(`  overrides ${b.overridden.join(', ')} (never approvals); ${review}`);
  }
  for (const g of p.gates) {
    io.term.out(`  ${gateMark(io, g.status)} ${g.title}: ${g.summary}`);
    if (g.howToFix && g.status !== 'passed')
      io.term.out(`      fix: ${g.howToFix}`);
  }
  const due = dueLine(p);
  if (due) io.term.out(due);
  const req = p.approvalRequirement;
  if (req && req.rules.length > 1) {
    io.term.out(
      `  approvals ${req.given}/${req.minimum}: every rule must hold, one person counts towards one rule`,
    );
    for (const r of req.rules) {
      const who = r.approvedBy.length ? ` by ${r.approvedBy.join(', ')}` : '';
      const still =
        !r.satisfied && r.eligible.length ? ` — may approve: ${r.eligible.join(', ')}` : '';
      io.term.out(
        `    ${gateMark(io, r.satisfied ? 'passed' : 'pending')} ${r.title}: ${Math.min(
          r.approvedBy.length,
          r.minimum,
        )}/${r.minimum} from ${r.groups.join(' or ')}${who}${still}`,
      );
    }
  } else if (req) {
    io.term.out(
      `  approvals ${req.given}/${req.minimum} from ${req.groups.join(' or ')}${
        req.eligible.length && req.given < req.minimum
          ? ` — may approve: ${req.eligible.join(', ')}`
          : ''
      }`,
    );
  }
  for (const a of p.approvals) {
    io.term.out(
      `  ${a.decision === 'approve' ? 'approved' : 'rejected'} by ${
        a.approver
      }${a.comment ? `: ${a.comment}` : ''}`,
    );
  }
}
