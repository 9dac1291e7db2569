import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { Command } from 'commander';
import {
  DeployPlan,
  deployPlanSchema,
  EVIDENCE_MAX_BYTES,
  evidenceSchema,
} from '@khal/plugin-ladder-common';
import { LadderClient } from '../client/LadderClient';
import { CliError, ExitCode } from '../exitCodes';
import {
  claimApprovedPromotion,
  deployNeedsClaim,
  reportDeployResult,
} from '../ladder/deployClaim';
import { resolveTarget } from '../ladder/targetRung';
import { formatFields } from '../output/table';
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

interface DeployOptions extends PortalOptions {
  target: string;
  branch?: string;
  ref?: string;
  entity?: string;
  dryRun?: boolean;
}

/** The order follow-up commands are listed in; others the rung configures come after. */
const FOLLOW_UPS = ['logs', 'status', 'open', 'rollback', 'evidence'];

/** JSON with sorted keys, so the same plan always has the same digest. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b, 'en-US'));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function planDigest(plan: DeployPlan): string {
  return `sha256:${createHash('sha256')
    .update(canonicalJson(plan))
    .digest('hex')}`;
}

/** The plan as people read it; also the content of the dry-run evidence. */
export function planLines(plan: DeployPlan): string[] {
  const settings = plan.settings.length
    ? plan.settings.map(s => {
        const flags = [
          s.required ? 'required' : 'optional',
          ...(s.secret ? ['secret'] : []),
        ].join(', ');
        let supplied = s.supplied ? 'supplied' : 'NOT supplied';
        if (s.supplied === null) supplied = 'supplied: unknown';
        return `${s.name} (${flags}) — ${supplied}`;
      })
    : ['none declared'];
  const lines = formatFields([
    [
      'Target',
      `${plan.target} → ${plan.rung.title} (${plan.rung.id}, rung ${
        plan.rung.index + 1
      } of ladder ${plan.ladderId})`,
    ],
    [
      'App',
      `${plan.entityRef} — manifest ${plan.manifest.name} at ${plan.manifest.ref} (${plan.manifest.digest})`,
    ],
    ['Host', plan.host ?? '-'],
    ['Control plane', plan.controlPlane ?? '-'],
    ['Runtime', `${plan.runtime} via ${plan.mechanism}`],
    [
      'Policy',
      `${plan.mutationPolicy.policy}: ${plan.mutationPolicy.description}`,
    ],
    [
      'Allowed now',
      `${plan.mutationPolicy.allowedNow ? 'yes' : 'no'} — ${
        plan.mutationPolicy.reason
      }`,
    ],
    ['Settings', settings[0]],
    ...settings.slice(1).map((s): [string, string] => ['', s]),
  ]);
  const names = [
    ...(plan.commands.deploy ? ['deploy'] : []),
    ...FOLLOW_UPS.filter(n => plan.commands[n]),
    ...Object.keys(plan.commands)
      .filter(n => n !== 'deploy' && !FOLLOW_UPS.includes(n))
      .sort(),
  ];
  lines.push('', 'Commands:');
  if (!names.length) lines.push('  none configured for this rung');
  const width = Math.max(0, ...names.map(n => n.length));
  for (const n of names)
    lines.push(`  ${n.padEnd(width)}  ${plan.commands[n]}`);
  return lines;
}

async function recordEvidence(
  client: LadderClient,
  body: Record<string, unknown>,
): Promise<string> {
  const evidence = await client.post('/evidence', {
    body,
    schema: evidenceSchema,
  });
  return evidence.id;
}

/** Runs the rung's configured deploy command, streaming its output and keeping a bounded tail. */
function runDeployCommand(
  command: string,
  io: CommandIo,
  env: Record<string, string>,
): Promise<{ exitCode: number; output: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    // A configured template (from the ladder config, not from the user), so a shell runs it.
    const child = spawn(command, {
      shell: true,
      cwd: io.cwd,
      env: { ...process.env, ...env },
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    const keep = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      // Evidence has a size limit: keep the tail, where failures are explained.
      while (size > EVIDENCE_MAX_BYTES - 1024 && chunks.length > 1) {
        size -= chunks.shift()!.length;
        truncated = true;
      }
    };
    // With --json, stdout is for the JSON document only: the command's output goes to stderr.
    const out = io.json ? process.stderr : process.stdout;
    child.stdout!.on('data', (chunk: Buffer) => {
      out.write(chunk);
      keep(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      keep(chunk);
    });
    // Ctrl-C reaches the command (same process group); khal stays to record how it ended.
    const keepRunning = () => {};
    process.on('SIGINT', keepRunning);
    child.on('error', error => {
      process.off('SIGINT', keepRunning);
      reject(error);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', keepRunning);
      let output = Buffer.concat(chunks).toString('utf8');
      if (output.length > EVIDENCE_MAX_BYTES - 1024)
        output = output.slice(-(EVIDENCE_MAX_BYTES - 1024));
      // Like a shell: a command killed by a signal ends with 128 + the signal's number.
      const exitCode =
        code ?? 128 + (signal ? os.constants.signals[signal] ?? 0 : 0);
      resolve({ exitCode, output, truncated });
    });
  });
}

export function registerDeploy(program: Command): void {
  withPortalOptions(
    program
      .command('deploy')
      .description(
        'print the deploy plan for a target; --dry-run records it as evidence, without it the rung is deployed if its policy allows',
      )
      .argument(
        '[repo-url]',
        'app repository (default: the git repository in the working directory)',
      )
      .requiredOption('--target <rung>', 'rung id or alias')
      .option(
        '--branch <branch>',
        'branch to deploy (default: the checked-out HEAD)',
      )
      .option('--ref <ref>', 'commit, tag or image tag (overrides --branch)')
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)')
      .option(
        '--dry-run',
        'only plan, and record the plan as dry-run evidence',
      ),
  ).action(
    async (repoUrl: string | undefined, opts: DeployOptions, cmd: Command) => {
      const io = ioFor(cmd, opts);
      const entityRef = resolveEntityRef(opts.entity, io.cwd);
      const ref = resolveRef(
        { ref: opts.ref, branch: opts.branch, repoUrl },
        io.cwd,
      );
      const client = clientFor(opts, io);
      // Resolved here first so an unknown target is a "not found" (exit 5) listing the rungs.
      const { rung } = resolveTarget(
        await fetchEntityLadder(client, entityRef),
        opts.target,
      );
      const plan = await client.get('/plan', {
        query: { entityRef, target: rung.id, ref },
        schema: deployPlanSchema,
      });
      const digest = planDigest(plan);
      const text = planLines(plan);
      if (!io.json) {
        io.term.out(
          io.term.paint(
            'bold',
            `Deploy plan${opts.dryRun ? ' (dry-run)' : ''}`,
          ),
        );
        for (const line of text) io.term.out(line);
        io.term.out('');
      }
      const source = {
        ...(repoUrl ? { repoUrl } : {}),
        ...(opts.branch ? { branch: opts.branch } : {}),
      };

      if (opts.dryRun) {
        const missing = plan.settings
          .filter(s => s.required && s.supplied === false)
          .map(s => s.name);
        const evidenceId = await recordEvidence(client, {
          entityRef,
          rung: plan.rung.id,
          ref,
          kind: 'dry-run',
          summary: `dry-run of ${plan.manifest.name} ${shortRef(ref)} to ${
            plan.rung.id
          }: plan resolved`,
          content: text.join('\n'),
          data: {
            clean: true,
            target: plan.rung.id,
            planDigest: digest,
            ...source,
          },
        });
        if (io.json) {
          printJson(io, {
            plan,
            planDigest: digest,
            dryRun: { evidenceId, clean: true },
            deploy: null,
          });
        } else {
          io.term.out(
            `Recorded dry-run evidence ${evidenceId} (clean, ${digest.slice(
              0,
              19,
            )}…) for ${plan.rung.id}.`,
          );
          if (missing.length) {
            io.term.out(
              io.term.paint(
                'yellow',
                `Note: required settings not supplied for ${
                  plan.rung.id
                }: ${missing.join(
                  ', ',
                )} — the env-contract gate will ask for them.`,
              ),
            );
          }
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
          io.term.paint(
            'dim',
            `Claimed promotion ${claimed.id} (${claimed.ref}).`,
          ),
        );
      }
      // A name (branch, tag, short SHA) is rendered into the command as given: plan it again for
      // the claimed commit, so the command deploys exactly what was approved.
      const deployCommand =
        claimed && claimed.ref !== ref
          ? (
              await client.get('/plan', {
                query: { entityRef, target: plan.rung.id, ref: claimed.ref },
                schema: deployPlanSchema,
              })
            ).commands.deploy ?? command
          : command;
      if (!io.json) io.term.err(io.term.paint('dim', `$ ${deployCommand}`));
      const result = await runDeployCommand(deployCommand, io, {
        KHAL_ENTITY_REF: entityRef,
        KHAL_REF: claimed?.ref ?? ref,
        KHAL_TARGET: plan.rung.id,
        ...(claimed ? { KHAL_PROMOTION_ID: claimed.id } : {}),
        ...(opts.branch ? { KHAL_BRANCH: opts.branch } : {}),
        ...(repoUrl ? { KHAL_REPO_URL: repoUrl } : {}),
      });
      let evidenceId: string | null = null;
      let evidenceError: string | null = null;
      let promotionPhase: string | null = null;
      const summary = `deploy of ${plan.manifest.name} ${shortRef(
        claimed?.ref ?? ref,
      )} to ${plan.rung.id} exited ${result.exitCode}`;
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
        });
      } else {
        io.term.out('');
        io.term.out(
          result.exitCode === 0
            ? io.term.paint(
                'green',
                `Deployed ${shortRef(ref)} to ${plan.rung.id}.`,
              )
            : io.term.paint(
                'red',
                `The deploy command exited ${result.exitCode}.`,
              ),
        );
        if (evidenceId)
          io.term.out(`Recorded deploy-output evidence ${evidenceId}.`);
        if (claimed && promotionPhase)
          io.term.out(
            `Reported to promotion ${claimed.id}: now ${promotionPhase}.`,
          );
      }
      if (evidenceError)
        io.term.err(
          `khal: the deploy output was not recorded: ${evidenceError}`,
        );
      if (result.exitCode !== 0 || evidenceError)
        process.exitCode = ExitCode.Failed;
    },
  );
}
