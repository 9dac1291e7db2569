import { Command } from 'commander';
import {
  lifecycleActions,
  uncoveredValidationChecks,
  type LifecycleAction,
} from '@khal/plugin-ladder-common';
import { answer, type PortalClient } from '../client/portalClient';
import type { EntityLadderResponse, RungSummary } from '../client/contract';
import {
  LOG_TAIL_LINES,
  runLifecycle,
  type LifecycleRun,
  type StepRunner,
} from '../environment/lifecycleRun';
import { CliError, ExitCode } from '../exitCodes';
import { resolveTarget } from '../ladder/targetRung';
import { printStepFooter, stepFacts } from '../output/stepFooter';
import { whomToAsk } from '../output/whomToAsk';
import { resolveEntityRef } from '../workspace/appManifest';
import { resolveRef } from '../workspace/gitRef';
import {
  clientFor,
  CommandIo,
  fetchEntityLadder,
  ioFor,
  PortalOptions,
  printJson,
  shortRef,
  withPortalOptions,
} from './common';

interface EnvActionOptions extends PortalOptions {
  target: string;
  entity?: string;
  ref?: string;
  evidence?: boolean;
}

/** The evidence kind an action's output is recorded as (the others change things, not prove them). */
const EVIDENCE_KIND: Partial<Record<LifecycleAction, string>> = {
  status: 'status',
  validate: 'validation',
};

const DESCRIPTIONS: Record<LifecycleAction, string> = {
  up: 'bring the rung’s environment up (its lifecycle.up steps)',
  status: 'show the environment’s status and record it as status evidence',
  validate:
    'check ingress, config and readiness and record the output as validation evidence; fails closed when one is not checked',
  down: 'tear the environment down',
  reset: 'destroy and recreate the environment (never a manual repair)',
};

/** The stable `--json` shape of `khal env <action>` (documented in the README). */
export interface EnvActionJson {
  action: LifecycleAction;
  entityRef: string;
  rung: { id: string; title: string };
  ref: string;
  ok: boolean;
  steps: LifecycleRun['steps'];
  failedStep: LifecycleRun['steps'][number] | null;
  /** For validate: the checks (ingress, config, readiness) no step proves; non-empty means it failed closed. */
  notChecked: Array<{ check: string; howToFix: string }>;
  evidence: { id: string; kind: string; redactions: number } | null;
  whomToAsk: ReturnType<typeof whomToAsk> | null;
}

async function recordEvidence(
  client: PortalClient,
  input: { entityRef: string; rung: RungSummary; ref: string; kind: string; action: LifecycleAction },
  run: LifecycleRun,
  notChecked: EnvActionJson['notChecked'],
): Promise<EnvActionJson['evidence']> {
  const ok = run.ok && notChecked.length === 0;
  const exitCode = ok ? 0 : run.failedStep?.exitCode || 1;
  const lines = [
    ...notChecked.map(c => `not checked: ${c.check} — ${c.howToFix}`),
    run.transcript,
  ].filter(Boolean);
  const saved = await answer(
    client.api.POST('/evidence', {
      body: {
        entityRef: input.entityRef,
        rung: input.rung.id,
        ref: input.ref,
        kind: input.kind,
        summary: `khal env ${input.action} on ${input.rung.id} at ${shortRef(input.ref)}: ${
          ok ? 'passed' : `failed${run.failedStep ? ` at "${run.failedStep.title}"` : ' closed'}`
        }`,
        content: lines.join('\n\n') || 'no steps ran',
        data: {
          exitCode,
          action: input.action,
          steps: run.steps.map(s => ({ title: s.title, status: s.status, exitCode: s.exitCode, ...(s.checks ? { checks: s.checks } : {}) })),
          ...(notChecked.length ? { notChecked: notChecked.map(c => c.check) } : {}),
        },
      },
    }),
  );
  return { id: saved.id, kind: saved.kind, redactions: saved.redactions ?? 0 };
}

function exitCodeOf(run: LifecycleRun, notChecked: unknown[]): number {
  if (run.stoppedBefore === 'missing-tool') return ExitCode.MissingTool;
  if (run.stoppedBefore === 'unresolved') return ExitCode.Unresolved;
  return run.ok && notChecked.length === 0 ? ExitCode.Ok : ExitCode.Failed;
}

function printFailure(io: CommandIo, json: EnvActionJson): void {
  const failed = json.failedStep;
  if (json.notChecked.length) {
    io.term.err(
      `khal: validate failed closed: ${json.rung.title} does not check ${json.notChecked.map(c => c.check).join(', ')}`,
    );
    for (const c of json.notChecked) io.term.err(`  - ${c.check}: ${c.howToFix}`);
  }
  if (failed) {
    io.term.err(
      `khal: env ${json.action} stopped at "${failed.title}" (${
        failed.exitCode === null ? 'not run' : `exit ${failed.exitCode}`
      })`,
    );
    io.term.err(`  command: ${failed.run}`);
    if (failed.logTail?.length) {
      io.term.err(`  last ${Math.min(LOG_TAIL_LINES, failed.logTail.length)} lines:`);
      for (const line of failed.logTail) io.term.err(`    ${line}`);
    }
    if (failed.howToFix) io.term.err(`  fix: ${failed.howToFix}`);
  }
  for (const line of json.whomToAsk?.lines ?? []) io.term.err(line);
}

/** `khal env <action> --target <rung>`: runs the rung's lifecycle steps for `action`. */
export async function runEnvAction(
  action: LifecycleAction,
  opts: EnvActionOptions,
  io: CommandIo,
  runStep?: StepRunner,
): Promise<{ json: EnvActionJson; exitCode: number; view: EntityLadderResponse }> {
  const entityRef = resolveEntityRef(opts.entity, io.cwd);
  const ref = resolveRef({ ref: opts.ref }, io.cwd);
  const client = clientFor(opts, io);
  const entity = await fetchEntityLadder(client, entityRef);
  const { rung } = resolveTarget(entity, opts.target);
  const help = whomToAsk(rung, { target: opts.target, ...(opts.entity ? { entityRef } : {}) });
  const steps = rung.lifecycle?.[action];
  if (!steps?.length) {
    const declared = Object.keys(rung.lifecycle ?? {});
    throw new CliError(
      `${rung.title} declares no lifecycle.${action}; nothing was run`,
      ExitCode.Unresolved,
      [
        declared.length
          ? `it declares: ${declared.join(', ')} (khal env ${declared[0]} --target ${opts.target})`
          : `add lifecycle.${action} (a command or a list of { title, run } steps) to rung ${rung.id} in the ladder config`,
      ],
    ).withHelp(help.lines);
  }
  const notChecked = action === 'validate' ? uncoveredValidationChecks(steps) : [];
  if (!io.json) {
    io.term.err(
      `khal env ${action}: ${rung.title} for ${entityRef} at ${shortRef(ref)} — ${steps.length} step${steps.length === 1 ? '' : 's'}`,
    );
  }
  const run = await runLifecycle(steps, io, {
    sha: ref,
    retry: `khal env ${action} --target ${opts.target}`,
    runStep,
  });
  const kind = EVIDENCE_KIND[action];
  const evidence =
    kind && opts.evidence !== false
      ? await recordEvidence(client, { entityRef, rung, ref, kind, action }, run, notChecked)
      : null;
  const ok = run.ok && notChecked.length === 0;
  const json: EnvActionJson = {
    action,
    entityRef,
    rung: { id: rung.id, title: rung.title },
    ref,
    ok,
    steps: run.steps,
    failedStep: run.failedStep ?? null,
    notChecked,
    evidence,
    whomToAsk: ok ? null : help,
  };
  return { json, exitCode: exitCodeOf(run, notChecked), view: entity };
}

export function registerEnvLifecycle(env: Command): void {
  for (const action of lifecycleActions) {
    const cmd = env
      .command(action)
      .description(DESCRIPTIONS[action])
      .requiredOption('--target <rung>', 'rung id or alias whose environment to act on')
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)')
      .option('--ref <ref>', 'the commit the run is recorded for (default: git rev-parse HEAD)');
    if (EVIDENCE_KIND[action]) cmd.option('--no-evidence', 'do not record the output as evidence');
    withPortalOptions(cmd).action(async (opts: EnvActionOptions, command: Command) => {
      const io = ioFor(command, opts);
      const { json, exitCode, view } = await runEnvAction(action, opts, io);
      if (io.json) printJson(io, json);
      else if (json.ok) {
        io.term.err(
          `${io.term.paint('green', '✔')} env ${action} on ${json.rung.title} passed${
            json.evidence ? ` — recorded ${json.evidence.kind} evidence ${json.evidence.id}` : ''
          }`,
        );
        // Where this leaves the FDE: the same five facts as every step of the walk.
        printStepFooter(
          io,
          stepFacts(view, json.rung.id, {
            ref: json.ref,
            recorded: json.evidence ? [`${json.evidence.kind} evidence ${json.evidence.id}`] : [],
          }),
        );
      } else {
        printFailure(io, json);
        if (json.evidence) io.term.err(`Recorded the failed ${json.evidence.kind} as evidence ${json.evidence.id} (it proves nothing).`);
      }
      process.exitCode = exitCode;
    });
  }
}
