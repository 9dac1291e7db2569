import fs from 'node:fs';
import { Command } from 'commander';
import { EVIDENCE_MAX_BYTES } from '@khal/plugin-ladder-common';
import { answer } from '../client/portalClient';
import { CliError, ExitCode } from '../exitCodes';
import { resolveTarget } from '../ladder/targetRung';
import { runRungCommand } from '../runner/runCommand';
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

interface DrillOptions extends PortalOptions {
  target: string;
  entity?: string;
  file?: string;
}

/**
 * `khal evidence rollback-drill --target <rung>`: rehearses the rung's way back and records it as
 * `rollback-drill` evidence (what a `rollback-drill` gate on the rung above asks for). Without
 * `--file` it runs the rung's rollback command as the portal renders it for the ref placed there
 * (so the rehearsal returns the rung to where it is) and records the output with its exit code; a
 * failed drill is recorded too and never counts. With `--file` (or `-` for stdin) it records the
 * output of a rehearsal done by hand, as reported by the person recording it.
 */
export function registerRollbackDrill(evidence: Command): void {
  withPortalOptions(
    evidence
      .command('rollback-drill')
      .description(
        "rehearse a rung's rollback and record it as rollback-drill evidence: runs the rung's rollback command for the ref placed there, or records --file",
      )
      .requiredOption('--target <rung>', 'rung id or alias to rehearse the rollback on')
      .option('--file <path>', 'record this rehearsal output instead of running the command ("-" for stdin)')
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)'),
  ).action(async (opts: DrillOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const entityRef = resolveEntityRef(opts.entity, io.cwd);
    const client = clientFor(opts, io);
    const { rung, view } = resolveTarget(await fetchEntityLadder(client, entityRef), opts.target);
    const ref = view?.placement?.ref;
    if (!ref) {
      throw new CliError(
        `nothing is placed on ${rung.title}, so there is no rollback to rehearse there: promote to it first`,
        ExitCode.Failed,
      );
    }
    let content: string;
    let exitCode: number | undefined;
    let command: string | undefined;
    if (opts.file) {
      content = opts.file === '-' ? fs.readFileSync(0, 'utf8') : readFile(opts.file);
    } else {
      command = (view?.rung ?? rung).commands.rollback;
      if (!command) {
        throw new CliError(
          `rung ${rung.id} has no rollback command to rehearse — configure commands.rollback for it under ladder.ladders[].rungs in app-config.yaml, or record a rehearsal done by hand with --file`,
          ExitCode.Unresolved,
        );
      }
      if (command.includes('{{')) {
        throw new CliError(
          `the rollback command of ${rung.title} cannot be rendered for ${shortRef(ref)}: ${command}`,
          ExitCode.Unresolved,
        );
      }
      if (!io.json) io.term.err(io.term.paint('dim', `$ ${command}`));
      const result = await runRungCommand(command, io, {
        env: { KHAL_ENTITY_REF: entityRef, KHAL_REF: ref, KHAL_TARGET: rung.id, KHAL_ROLLBACK_DRILL: '1' },
        retry: `khal evidence rollback-drill --target ${rung.id}`,
      });
      content = result.output || '(no output)';
      exitCode = result.exitCode;
    }
    if (Buffer.byteLength(content, 'utf8') > EVIDENCE_MAX_BYTES) {
      throw new CliError(`the rehearsal output is over ${EVIDENCE_MAX_BYTES} bytes: record its tail`, ExitCode.Usage);
    }
    const saved = await answer(
      client.api.POST('/evidence', {
        body: {
          entityRef,
          rung: rung.id,
          ref,
          kind: 'rollback-drill',
          summary: command
            ? `rollback drill on ${rung.id} at ${shortRef(ref)} exited ${exitCode}`
            : `rollback drill on ${rung.id} at ${shortRef(ref)}, recorded by hand`,
          content,
          ...(command ? { data: { command, exitCode } } : {}),
        },
      }),
    );
    if (io.json) printJson(io, saved);
    else {
      io.term.out(
        `Recorded rollback-drill evidence ${saved.id} for ${entityRef} on ${rung.id} (${shortRef(ref)})${
          exitCode !== undefined ? `: the drill exited ${exitCode}` : ''
        }.`,
      );
    }
    if (exitCode !== undefined && exitCode !== 0) {
      throw new CliError(
        `the rollback drill on ${rung.title} failed (exit code ${exitCode}); it is recorded and does not count — fix the rollback, then run the drill again`,
        ExitCode.Failed,
      );
    }
  });
}

function readFile(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, ExitCode.Usage);
  }
}
