import { Command } from 'commander';
import type { EntityLadderResponse, RungView } from '../client/contract';
import { answer, idempotencyKey } from '../client/portalClient';
import { CliError, ExitCode } from '../exitCodes';
import { resolveTarget } from '../ladder/targetRung';
import { resolveEntityRef } from '../workspace/appManifest';
import {
  clientFor,
  fetchEntityLadder,
  ioFor,
  PortalOptions,
  printJson,
  shortRef,
  withPortalOptions,
} from './common';
import { waitForTerminal } from './promote';
import { printPromotion } from './promotionText';

interface UndoOptions extends PortalOptions {
  target: string;
  entity?: string;
  reason?: string;
  wait?: boolean;
  timeout: string;
}

/** What a way out of trouble asks for: which kind of promotion, of which ref, or why none. */
type Undo = (rung: RungView) => { kind: 'rollback' | 'adoption'; ref: string; what: string };

/** Roll back: where the portal says Roll back goes on the rung (the same answer the entity page shows). */
const rollBack: Undo = view => {
  const target = view.rollback;
  if (!target) {
    throw new CliError(
      `the portal does not say where ${view.rung.title} rolls back to (an older portal): use khal promote --rollback --to ${view.rung.id} --ref <ref>`,
      ExitCode.Unresolved,
    );
  }
  if (!target.allowed || !target.ref) {
    throw new CliError(`cannot roll ${view.rung.title} back: ${target.reason ?? 'nothing to roll back to'}`, ExitCode.Failed);
  }
  return { kind: 'rollback', ref: target.ref, what: `roll ${view.rung.title} back to ${shortRef(target.ref)}` };
};

function drifted(view: RungView): NonNullable<RungView['drift']> {
  if (!view.drift) {
    throw new CliError(
      `${view.rung.title} has not drifted (${view.status}: ${view.statusReason}); there is nothing to adopt or roll back`,
      ExitCode.Failed,
    );
  }
  return view.drift;
}

/** Adopt: make what the drifted rung's cluster runs its placement, through the rung's approvers. */
const adopt: Undo = view => {
  const drift = drifted(view);
  if (!drift.running) {
    throw new CliError(`the cluster of ${view.rung.title} does not say which ref it runs, so there is nothing to adopt`, ExitCode.Failed);
  }
  return { kind: 'adoption', ref: drift.running, what: `adopt ${shortRef(drift.running)} as what ${view.rung.title} runs` };
};

/** Roll a drifted rung back to the ref the ladder placed there. */
const rollBackDrift: Undo = view => {
  const drift = drifted(view);
  if (!drift.expected) {
    throw new CliError(
      `the ladder placed nothing on ${view.rung.title}, so there is no placed ref to roll back to: adopt what runs instead (khal drift adopt --target ${view.rung.id})`,
      ExitCode.Failed,
    );
  }
  return { kind: 'rollback', ref: drift.expected, what: `roll ${view.rung.title} back to the placed ${shortRef(drift.expected)}` };
};

function withUndoOptions(cmd: Command): Command {
  return withPortalOptions(
    cmd
      .requiredOption('--target <rung>', 'rung id or alias')
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)')
      .option('--reason <text>', 'why (shown to approvers and kept in the audit trail)')
      .option('--wait', 'show gate progress until the request reaches a terminal phase')
      .option('--timeout <seconds>', 'give up waiting after this long', '1800'),
  );
}

/** Requests the undo the rung's view calls for, as an audited promotion through the rung's approvals. */
async function requestUndo(undo: Undo, opts: UndoOptions, cmd: Command): Promise<void> {
  const io = ioFor(cmd, opts);
  const timeout = Number(opts.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new CliError('--timeout must be a positive number of seconds', ExitCode.Usage);
  }
  const entityRef = resolveEntityRef(opts.entity, io.cwd);
  const client = clientFor(opts, io);
  const ladder: EntityLadderResponse = await fetchEntityLadder(client, entityRef);
  const { rung, view } = resolveTarget(ladder, opts.target);
  if (!view) throw new CliError(`the portal shows no state for ${rung.title}`, ExitCode.Unresolved);
  const { kind, ref, what } = undo(view);
  let promotion = await answer(
    client.api.POST('/promotions', {
      params: { header: idempotencyKey() },
      body: { entityRef, toRung: rung.id, ref, kind, ...(opts.reason ? { reason: opts.reason } : {}) },
    }),
  );
  if (!io.json) io.term.out(`Requested ${promotion.id}: ${what} (${kind})`);
  if (opts.wait) promotion = await waitForTerminal(client, io, promotion, timeout);
  if (io.json) printJson(io, promotion);
  else printPromotion(io, promotion);
  if (opts.wait && promotion.phase !== 'Promoted') process.exitCode = ExitCode.Failed;
}

export function registerRollback(program: Command): void {
  withUndoOptions(
    program
      .command('rollback')
      .description(
        'roll a rung back to the previous ref the ladder placed there (not one marked bad): an audited rollback promotion through the rung\'s approvals and its rollback gates',
      ),
  ).action((opts: UndoOptions, cmd: Command) => requestUndo(rollBack, opts, cmd));
}

export function registerDrift(program: Command): void {
  const drift = program
    .command('drift')
    .description('act on a drifted rung (its cluster runs a ref the ladder did not place there)');
  withUndoOptions(
    drift
      .command('adopt')
      .description('record what the cluster runs as the rung\'s placement, through the rung\'s approvers (needs evidence for it on the rung)'),
  ).action((opts: UndoOptions, cmd: Command) => requestUndo(adopt, opts, cmd));
  withUndoOptions(
    drift
      .command('rollback')
      .description('roll the drifted rung back to the ref the ladder placed there, through the rung\'s approvals'),
  ).action((opts: UndoOptions, cmd: Command) => requestUndo(rollBackDrift, opts, cmd));
}
