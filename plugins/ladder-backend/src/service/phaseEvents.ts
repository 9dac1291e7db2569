import type { PromotionEvent, PromotionPhase } from '@khal/plugin-ladder-common';
import { APPROVAL_GATE_ID } from '../gates/effectiveGates';
import type { EvaluatedGate } from '../gates/GateRunner';
import type { ProofStatus } from '../database/records';

/** "waiting for a dry-run, approval from group:default/x" */
export function waitingFor(results: EvaluatedGate[]): string[] {
  return results.filter(r => r.status !== 'passed').map(r => r.waitingFor ?? r.title);
}

/** "3 of 5 gates pass — waiting for a dry-run" */
export function gatesLine(results: EvaluatedGate[]): string {
  const passed = results.filter(r => r.status === 'passed').length;
  const waiting = waitingFor(results);
  return `${passed} of ${results.length} gates pass${waiting.length ? ` — waiting for ${waiting.join(', ')}` : ''}`;
}

/**
 * The event that entry-gate results mean for a promotion in `phase`. The approval gate decides
 * between "cleared" and "awaiting approval"; every other gate must pass first, unless an operator
 * broke the glass on the promotion (`breakGlass`): then the other gates are overridden, and the
 * approval gate still decides (a break-glass never stands in for approvals or four eyes).
 */
export function entryEvent(
  phase: PromotionPhase,
  results: EvaluatedGate[],
  options: { breakGlass?: boolean } = {},
): PromotionEvent {
  const others = results.filter(r => r.gateId !== APPROVAL_GATE_ID);
  const approval = results.find(r => r.gateId === APPROVAL_GATE_ID);
  const othersPass = options.breakGlass || others.every(r => r.status === 'passed');
  if (phase === 'AwaitingApproval') {
    if (!othersPass) return 'gates-regressed';
    return !approval || approval.status === 'passed' ? 'approval-quorum-met' : 'recheck';
  }
  if (!othersPass) return 'gates-blocked';
  if (!approval || approval.status === 'passed') return 'gates-passed';
  return approval.status === 'pending' ? 'gates-passed-awaiting-approval' : 'gates-blocked';
}

/** The event that proof-check results mean for a `Verifying` promotion. */
export function verifyEvent(results: EvaluatedGate[]): PromotionEvent {
  if (results.some(r => r.status === 'failed')) return 'verification-failed';
  return results.every(r => r.status === 'passed') ? 'verified' : 'recheck';
}

/** Summary of proof results for a placement; no proof checks prove nothing (`unverified`). */
export function proofStatus(results: EvaluatedGate[]): ProofStatus {
  if (results.length === 0) return 'unverified';
  if (results.some(r => r.status === 'failed')) return 'failed';
  return results.every(r => r.status === 'passed') ? 'passed' : 'pending';
}

/** The phase message after an entry evaluation (saying so when a break-glass overrides gates). */
export function entryMessage(
  event: PromotionEvent,
  results: EvaluatedGate[],
  rungTitle: string,
  breakGlass?: { by: string },
): string {
  const overridden = results.filter(r => r.gateId !== APPROVAL_GATE_ID && r.status !== 'passed');
  const plain = plainEntryMessage(event, results, rungTitle);
  if (!breakGlass || overridden.length === 0) return plain;
  return `break-glass by ${breakGlass.by} overrides ${overridden.map(r => r.title).join(', ')}; ${plain.replace(/^all \d+ gates pass; /, '')}`;
}

function plainEntryMessage(event: PromotionEvent, results: EvaluatedGate[], rungTitle: string): string {
  if (event === 'gates-passed' || event === 'approval-quorum-met') {
    return `all ${results.length} gates pass; cleared for ${rungTitle}`;
  }
  if (event === 'gates-passed-awaiting-approval' || event === 'recheck') {
    const approval = results.find(r => r.gateId === APPROVAL_GATE_ID);
    return `gates pass — waiting for approval: ${approval?.summary ?? ''}`;
  }
  return gatesLine(results);
}

/** The phase message after a verification. */
export function verifyMessage(event: PromotionEvent, results: EvaluatedGate[], verified: string): string {
  if (event === 'verified') return verified;
  const failed = results.find(r => r.status === 'failed');
  if (event === 'verification-failed' && failed) return `${failed.title}: ${failed.summary}`;
  return `verifying: ${gatesLine(results)}`;
}
