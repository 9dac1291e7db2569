/*
 * Runs one lifecycle action of a rung (`khal env up|status|validate|down|reset`) as a task list:
 * each step in order, its output kept (not streamed), stopping at the first failure with that
 * step's log tail. On a TTY each step has a spinner; piped, each step is one plain line.
 */
import { CliError, ExitCode } from '../exitCodes';
import type { CommandIo } from '../commands/common';
import { startSpinner } from '../output/spinner';
import { runRungCommand, type CommandResult } from '../runner/runCommand';

/** A step as the portal shows it (commands rendered for the entity). */
export interface LifecycleStepInput {
  title: string;
  run: string;
  howToFix?: string;
  checks?: string;
}

export type StepStatus = 'passed' | 'failed' | 'skipped';

/** How one step ended; `logTail` only for a failed step. */
export interface StepResult {
  title: string;
  run: string;
  status: StepStatus;
  exitCode: number | null;
  durationMs: number;
  checks?: string;
  howToFix?: string;
  logTail?: string[];
}

/** How the action ended. */
export interface LifecycleRun {
  ok: boolean;
  steps: StepResult[];
  /** The first failed step, when one failed. */
  failedStep?: StepResult;
  /** A tool was missing or a placeholder was not filled: nothing of that step ran. */
  stoppedBefore?: 'missing-tool' | 'unresolved';
  /** Each step's command and its output, for evidence (bounded by the runner). */
  transcript: string;
}

/** Lines of a failing step's output shown (and returned) as its log tail. */
export const LOG_TAIL_LINES = 20;

/** Placeholder names the portal fills; one still shown as `<name>` was not resolvable. */
const PLACEHOLDERS = ['entity.name', 'entity.namespace', 'rung.id', 'host', 'cluster', 'kubernetesId', 'namespace'];

/** The step's command with `<ref>` filled, or the placeholders the portal left unfilled. */
export function fillStep(run: string, sha: string): { command: string; unfilled: string[] } {
  const command = run.replace(/<ref>/g, sha);
  const unfilled = PLACEHOLDERS.filter(name => command.includes(`<${name}>`));
  return { command, unfilled };
}

function tailOf(output: string): string[] {
  const lines = output.replace(/\s+$/, '').split('\n');
  return lines.slice(-LOG_TAIL_LINES);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Runs a step's command; tests replace it. */
export type StepRunner = (command: string, io: CommandIo, retry: string) => Promise<CommandResult>;

const runStepCommand: StepRunner = (command, io, retry) =>
  runRungCommand(command, io, { env: {}, retry, stream: false });

/** Runs `steps` in order and stops at the first failure; never throws for a failing step. */
export async function runLifecycle(
  steps: LifecycleStepInput[],
  io: CommandIo,
  options: { sha: string; retry: string; runStep?: StepRunner },
): Promise<LifecycleRun> {
  const runStep = options.runStep ?? runStepCommand;
  const results: StepResult[] = [];
  const transcript: string[] = [];
  let failedStep: StepResult | undefined;
  let stoppedBefore: LifecycleRun['stoppedBefore'];
  for (const [i, step] of steps.entries()) {
    const label = `[${i + 1}/${steps.length}] ${step.title}`;
    const base = {
      title: step.title,
      run: step.run,
      ...(step.checks ? { checks: step.checks } : {}),
      ...(step.howToFix ? { howToFix: step.howToFix } : {}),
    };
    if (failedStep) {
      results.push({ ...base, status: 'skipped', exitCode: null, durationMs: 0 });
      continue;
    }
    const { command, unfilled } = fillStep(step.run, options.sha);
    const spinner = startSpinner(label, io.term.interactive);
    const started = Date.now();
    let result: StepResult;
    if (unfilled.length) {
      stoppedBefore = 'unresolved';
      result = {
        ...base,
        status: 'failed',
        exitCode: null,
        durationMs: 0,
        logTail: [
          `not run: the portal could not fill ${unfilled.map(n => `{{${n}}}`).join(', ')} for this entity`,
          'configure it (e.g. the backstage.io/kubernetes-id annotation, or kubernetes on the rung) and run again',
        ],
      };
    } else {
      try {
        const ran = await runStep(command, io, options.retry);
        transcript.push(`$ ${command}\n${ran.output.replace(/\s+$/, '')}\n→ exit ${ran.exitCode}`);
        result = {
          ...base,
          status: ran.exitCode === 0 ? 'passed' : 'failed',
          exitCode: ran.exitCode,
          durationMs: Date.now() - started,
          ...(ran.exitCode === 0 ? {} : { logTail: tailOf(ran.output) }),
        };
      } catch (error) {
        if (!(error instanceof CliError) || error.exitCode !== ExitCode.MissingTool) throw error;
        stoppedBefore = 'missing-tool';
        transcript.push(`$ ${command}\n${error.message}`);
        result = {
          ...base,
          status: 'failed',
          exitCode: null,
          durationMs: Date.now() - started,
          logTail: [error.message, ...error.details],
        };
      }
    }
    const mark = result.status === 'passed' ? io.term.paint('green', '✔') : io.term.paint('red', '✘');
    const how = result.exitCode === null ? 'not run' : `exit ${result.exitCode}`;
    spinner.stop(`${mark} ${label} (${result.status === 'passed' ? seconds(result.durationMs) : how})`);
    if (result.status === 'failed') failedStep = result;
    results.push(result);
  }
  return {
    ok: !failedStep,
    steps: results,
    ...(failedStep ? { failedStep } : {}),
    ...(stoppedBefore ? { stoppedBefore } : {}),
    transcript: transcript.join('\n\n'),
  };
}
