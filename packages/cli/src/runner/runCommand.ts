/*
 * Runs a rung's configured command (deploy, status, logs, rollback) the way a
 * person would in a shell, in the runner environment, after checking that the
 * programs it needs are installed: a missing one is a stated stop (which tool,
 * how to install it, what to run next), not a shell's "not found" to decode.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { EVIDENCE_MAX_BYTES } from '@khal/plugin-ladder-common';
import { CliError, ExitCode } from '../exitCodes';
import type { CommandIo } from '../commands/common';
import { missingTools } from './toolCheck';
import { locateRunner, runnerEnvironment } from './runnerEnvironment';

/** How a command ended, with the tail of its output (bounded for evidence). */
export interface CommandResult {
  exitCode: number;
  output: string;
  truncated: boolean;
}

function spawnShell(
  command: string,
  io: CommandIo,
  env: NodeJS.ProcessEnv,
  stream: boolean,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    // A configured template (from the ladder config, not from the user), so a shell runs it.
    const child = spawn(command, {
      shell: true,
      cwd: io.cwd,
      env,
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
      if (stream) out.write(chunk);
      keep(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stream) process.stderr.write(chunk);
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

/** What {@link runRungCommand} needs besides the command. */
export interface RunRungCommandOptions {
  /** KHAL_* variables for the command. */
  env: Record<string, string>;
  /** The tools the plan lists for the command (else read from the command). */
  tools?: string[];
  /** The khal command to run again once the tool is installed. */
  retry: string;
  /**
   * Whether the command's output is copied to the terminal as it comes (default). Task lists
   * (`khal env`) keep it and show the tail of a failing step instead.
   */
  stream?: boolean;
}

/**
 * Checks the command's tools, then runs it. Throws a {@link CliError} with
 * exit code MissingTool, and runs nothing, when a tool is missing.
 */
export async function runRungCommand(
  command: string,
  io: CommandIo,
  options: RunRungCommandOptions,
): Promise<CommandResult> {
  const where = locateRunner();
  const { env, notes } = runnerEnvironment(process.env, where);
  const missing = missingTools(command, env, options.tools, where.workspace);
  if (missing.length) {
    const names = missing.map(m => m.tool).join(', ');
    throw new CliError(
      `stopped before running the command: it needs ${names}, which ${
        missing.length === 1 ? 'is' : 'are'
      } not installed (nothing was run or recorded)`,
      ExitCode.MissingTool,
      [
        `command: ${command}`,
        ...missing.map(m => `install ${m.tool}: ${m.install}`),
        `then run again: ${options.retry}`,
      ],
    );
  }
  // A task list (stream: false) keeps its one line per step.
  if (!io.json && options.stream !== false)
    for (const note of notes) io.term.err(io.term.paint('dim', note));
  return spawnShell(command, io, { ...env, ...options.env }, options.stream ?? true);
}
