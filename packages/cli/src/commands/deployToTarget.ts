import type { CreateEvidenceRequest, DeployPlan } from '../client/contract';
import { answer, type PortalClient } from '../client/portalClient';
import { CliError, ExitCode } from '../exitCodes';
import {
  claimApprovedPromotion,
  deployNeedsClaim,
  reportDeployResult,
} from '../ladder/deployClaim';
import { resolveTarget } from '../ladder/targetRung';
import { printStepFooter, StepFacts, stepFacts } from '../output/stepFooter';
import { runRungCommand } from '../runner/runCommand';
import { CommandIo, fetchEntityLadder, printJson, shortRef } from './common';
import { dryRunProblems, planLines } from './deployPlanText';

async function recordEvidence(
  client: PortalClient,
  body: CreateEvidenceRequest,
): Promise<string> {
  const evidence = await answer(client.api.POST('/evidence', { body }));
  return evidence.id;
}

/**
 * `--dry-run`: runs the rung's real dry-run command and records what happened as evidence. The
 * portal never takes the recorded `clean` on trust: it judges the exit code, the plan digest and
 * the settings itself; `clean` here is what this run saw, for people.
 */
async function dryRunPlan(options: {
  client: PortalClient;
  io: CommandIo;
  plan: DeployPlan;
  ref: string;
  entityRef: string;
  source: Record<string, string>;
  repoUrl?: string;
  branch?: string;
  text: string[];
  /** More keys of the --json document (the resolved source, the install's scope). */
  jsonExtras: Record<string, unknown>;
  env: Record<string, string>;
}): Promise<string> {
  const { client, io, plan, ref, entityRef, source } = options;
  const command = plan.commands.dryRun;
  let result: { exitCode: number; output: string; truncated: boolean } | null =
    null;
  if (command) {
    if (!io.json) io.term.err(io.term.paint('dim', `$ ${command}`));
    result = await runRungCommand(command, io, {
      env: {
        KHAL_ENTITY_REF: entityRef,
        KHAL_REF: ref,
        KHAL_TARGET: plan.rung.id,
        KHAL_DRY_RUN: '1',
        ...(options.branch ? { KHAL_BRANCH: options.branch } : {}),
        ...(options.repoUrl ? { KHAL_REPO_URL: options.repoUrl } : {}),
        ...options.env,
      },
      tools: plan.tools?.dryRun,
      retry: `khal deploy --dry-run --target ${plan.rung.id} --ref ${ref}`,
    });
  }
  const exitCode = result?.exitCode ?? null;
  const problems = dryRunProblems(plan, exitCode);
  const clean = problems.length === 0;
  const required = plan.settings.filter(s => s.required);
  const evidenceId = await recordEvidence(client, {
    entityRef,
    rung: plan.rung.id,
    ref,
    kind: 'dry-run',
    summary: `dry-run of ${plan.manifest.name} ${shortRef(ref)} to ${
      plan.rung.id
    }: ${clean ? 'clean' : `not clean — ${problems.join('; ')}`}`,
    // The backend redacts secrets from content at ingestion.
    content: [
      ...options.text,
      '',
      command ? `$ ${command}` : '(no dry-run command configured)',
      ...(result ? [result.output || '(no output)'] : []),
    ].join('\n'),
    data: {
      clean,
      exitCode,
      command: command ?? null,
      commit: ref,
      target: plan.rung.id,
      planDigest: plan.planDigest,
      unknownSettings: required
        .filter(s => s.supplied === null)
        .map(s => s.name),
      missingSettings: required
        .filter(s => s.supplied === false)
        .map(s => s.name),
      ...(result ? { truncated: result.truncated } : {}),
      ...source,
    },
  });
  if (io.json) {
    printJson(io, {
      plan,
      planDigest: plan.planDigest,
      dryRun: {
        evidenceId,
        clean,
        exitCode,
        command: command ?? null,
        problems,
      },
      deploy: null,
      ...options.jsonExtras,
      step: await footerFacts(client, entityRef, plan.rung.id, ref, [
        `dry-run evidence ${evidenceId}`,
      ]),
    });
  } else {
    io.term.out(
      `Recorded dry-run evidence ${evidenceId} (${
        clean ? 'clean' : 'NOT clean'
      }, ${plan.planDigest.slice(0, 19)}…) for ${plan.rung.id}.`,
    );
    for (const problem of problems)
      io.term.out(io.term.paint('yellow', `Not clean: ${problem}.`));
  }
  if (!clean) process.exitCode = ExitCode.Failed;
  return evidenceId;
}

/** The step footer's facts after a dry-run or deploy (see output/stepFooter). */
async function footerFacts(
  client: PortalClient,
  entityRef: string,
  rungId: string,
  ref: string,
  recorded: string[],
): Promise<StepFacts> {
  return stepFacts(await fetchEntityLadder(client, entityRef), rungId, {
    recorded,
    ref,
  });
}

/**
 * Plans `ref` of `entityRef` for a target and then, with `dryRun`, runs the rung's dry-run and
 * records it, or else deploys it if the rung's policy allows (claiming the approved promotion on
 * approval and operators rungs). Shared by `khal deploy` and `khal install`.
 */
export async function deployToTarget(options: {
  client: PortalClient;
  io: CommandIo;
  entityRef: string;
  ref: string;
  target: string;
  dryRun: boolean;
  repoUrl?: string;
  branch?: string;
  /** More variables for the rung's commands (KHAL_SCOPE from install). */
  env: Record<string, string>;
  jsonExtras: Record<string, unknown>;
  /** Checked against the plan before anything runs (install's --scope). */
  check?: (plan: DeployPlan) => void;
}): Promise<void> {
  const { client, io, entityRef, ref, repoUrl, jsonExtras } = options;
  const opts = { dryRun: options.dryRun, branch: options.branch };
  // Resolved here first so an unknown target is a "not found" (exit 5) listing the rungs.
  const { rung } = resolveTarget(
    await fetchEntityLadder(client, entityRef),
    options.target,
  );
  const plan = await answer(
    client.api.GET('/plan', {
      params: { query: { entityRef, target: rung.id, ref } },
    }),
  );
  options.check?.(plan);
  // The portal computes the digest of what a dry-run vouches for; it judges dry-runs by it.
  const digest = plan.planDigest;
  const text = planLines(plan);
  if (!io.json) {
    io.term.out(
      io.term.paint('bold', `Deploy plan${opts.dryRun ? ' (dry-run)' : ''}`),
    );
    for (const line of text) io.term.out(line);
    io.term.out('');
  }
  const source = {
    ...(repoUrl ? { repoUrl } : {}),
    ...(opts.branch ? { branch: opts.branch } : {}),
  };

  if (opts.dryRun) {
    const evidenceId = await dryRunPlan({
      client,
      io,
      plan,
      ref,
      entityRef,
      source,
      repoUrl,
      branch: opts.branch,
      text,
      jsonExtras,
      env: options.env,
    });
    if (!io.json) {
      printStepFooter(
        io,
        await footerFacts(client, entityRef, plan.rung.id, ref, [
          `dry-run evidence ${evidenceId}`,
        ]),
      );
    }
    return;
  }

  if (!plan.mutationPolicy.allowedNow) {
    throw new CliError(
      `refused: ${plan.rung.id} may not be changed now — ${plan.mutationPolicy.reason} (policy ${plan.mutationPolicy.policy})`,
      ExitCode.Failed,
    );
  }
  const command = plan.commands.deploy;
  if (!command) {
    throw new CliError(
      `rung ${plan.rung.id} has no deploy command — configure commands.deploy for it under ladder.ladders[].rungs in app-config.yaml`,
      ExitCode.Unresolved,
    );
  }
  // On approval and operators rungs nothing runs without a claim of the approved promotion of
  // exactly this commit; the deploy then runs that commit (the full SHA), whatever name was given.
  const claimed = deployNeedsClaim(plan.mutationPolicy.policy)
    ? await claimApprovedPromotion(client, {
        entityRef,
        rung: plan.rung.id,
        ref,
      })
    : undefined;
  if (claimed && !io.json) {
    io.term.err(
      io.term.paint('dim', `Claimed promotion ${claimed.id} (${claimed.ref}).`),
    );
  }
  // A name (branch, tag, short SHA) is rendered into the command as given: plan it again for
  // the claimed commit, so the command deploys exactly what was approved.
  const deployCommand =
    claimed && claimed.ref !== ref
      ? (
          await answer(
            client.api.GET('/plan', {
              params: {
                query: {
                  entityRef,
                  target: plan.rung.id,
                  ref: claimed.ref,
                },
              },
            }),
          )
        ).commands.deploy ?? command
      : command;
  if (!io.json) io.term.err(io.term.paint('dim', `$ ${deployCommand}`));
  const result = await runRungCommand(deployCommand, io, {
    env: {
      KHAL_ENTITY_REF: entityRef,
      KHAL_REF: claimed?.ref ?? ref,
      KHAL_TARGET: plan.rung.id,
      ...(claimed ? { KHAL_PROMOTION_ID: claimed.id } : {}),
      ...(opts.branch ? { KHAL_BRANCH: opts.branch } : {}),
      ...(repoUrl ? { KHAL_REPO_URL: repoUrl } : {}),
      ...options.env,
    },
    tools: plan.tools?.deploy,
    retry: `khal deploy --target ${plan.rung.id} --ref ${claimed?.ref ?? ref}`,
  });
  let evidenceId: string | null = null;
  let evidenceError: string | null = null;
  let promotionPhase: string | null = null;
  const deployed = `${plan.manifest.name} ${shortRef(claimed?.ref ?? ref)} to ${
    plan.rung.id
  }`;
  const summary =
    result.exitCode === 0
      ? `deploy of ${deployed} exited 0`
      : `FAILED deploy of ${deployed}: exited ${result.exitCode} (not proof)`;
  try {
    if (claimed) {
      // Reported against the claim (only its claimant may); the server records the evidence.
      const after = await reportDeployResult(client, claimed.id, {
        exitCode: result.exitCode,
        summary,
        output: result.output || '(no output)',
      });
      promotionPhase = after.phase;
    } else
      evidenceId = await recordEvidence(client, {
        entityRef,
        rung: plan.rung.id,
        ref,
        kind: 'deploy-output',
        summary,
        // The backend redacts secrets from content at ingestion.
        content: result.output || '(no output)',
        data: {
          exitCode: result.exitCode,
          target: plan.rung.id,
          command: deployCommand,
          planDigest: digest,
          truncated: result.truncated,
          ...source,
        },
      });
  } catch (error) {
    evidenceError = error instanceof Error ? error.message : String(error);
  }
  const recorded = [
    ...(evidenceId ? [`deploy-output evidence ${evidenceId}`] : []),
    ...(claimed && promotionPhase
      ? [`promotion ${claimed.id} now ${promotionPhase}`]
      : []),
  ];
  const step = await footerFacts(
    client,
    entityRef,
    plan.rung.id,
    claimed?.ref ?? ref,
    recorded,
  );
  if (io.json) {
    printJson(io, {
      plan,
      planDigest: digest,
      dryRun: null,
      deploy: {
        command: deployCommand,
        exitCode: result.exitCode,
        evidenceId,
        evidenceError,
        ...(claimed ? { promotionId: claimed.id, promotionPhase } : {}),
      },
      ...jsonExtras,
      step,
    });
  } else {
    io.term.out('');
    io.term.out(
      result.exitCode === 0
        ? io.term.paint(
            'green',
            `Deployed ${shortRef(ref)} to ${plan.rung.id}.`,
          )
        : io.term.paint('red', `The deploy command exited ${result.exitCode}.`),
    );
    if (evidenceId)
      io.term.out(`Recorded deploy-output evidence ${evidenceId}.`);
    if (claimed && promotionPhase)
      io.term.out(
        `Reported to promotion ${claimed.id}: now ${promotionPhase}.`,
      );
  }
  printStepFooter(io, step);
  if (evidenceError)
    io.term.err(`khal: the deploy output was not recorded: ${evidenceError}`);
  if (result.exitCode !== 0 || evidenceError)
    process.exitCode = ExitCode.Failed;
}
