import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The fixed identity of commits the scaffolder makes, so they never depend on host config. */
export const SCAFFOLDER_GIT_AUTHOR = {
  name: 'Khal Scaffolder',
  email: 'scaffolder@khal.local',
};

/**
 * Runs git with arguments as an array (execFile, never a shell), with the author fixed and the
 * user's and system's git config ignored, so hooks, signing or aliases on the host cannot change
 * what happens.
 */
export async function git(
  args: string[],
  options?: { cwd?: string },
): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', args, {
      cwd: options?.cwd,
      maxBuffer: 16 * 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0',
        GIT_AUTHOR_NAME: SCAFFOLDER_GIT_AUTHOR.name,
        GIT_AUTHOR_EMAIL: SCAFFOLDER_GIT_AUTHOR.email,
        GIT_COMMITTER_NAME: SCAFFOLDER_GIT_AUTHOR.name,
        GIT_COMMITTER_EMAIL: SCAFFOLDER_GIT_AUTHOR.email,
      },
    });
    return stdout.trim();
  } catch (error) {
    const failure = error as Error & { stderr?: string };
    const detail = failure.stderr?.trim() || failure.message;
    throw new Error(`git ${args.join(' ')} failed: ${detail}`);
  }
}
