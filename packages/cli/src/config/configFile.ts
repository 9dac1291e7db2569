import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CliError, ExitCode } from '../exitCodes';

/**
 * The CLI's own config file: which portal to talk to and a token per portal.
 *
 * Tokens are credentials, so the directory is created 0700 and the file written 0600 through a
 * temporary file and a rename (never a moment where a token sits in a world-readable file).
 */

const portalEntrySchema = z.object({
  token: z.string().min(1),
  /** Who the token belongs to, as read from its claims; shown by `khal login`, never verified here. */
  user: z.string().optional(),
  savedAt: z.string(),
});

const configSchema = z.object({
  currentPortal: z.string().optional(),
  portals: z.record(z.string(), portalEntrySchema).default({}),
});

export type KhalConfig = z.infer<typeof configSchema>;
export type PortalEntry = z.infer<typeof portalEntrySchema>;

export const CONFIG_FILE_MODE = 0o600;
export const CONFIG_DIR_MODE = 0o700;

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KHAL_CONFIG_DIR) return path.resolve(env.KHAL_CONFIG_DIR);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'khal');
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), 'config.json');
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): KhalConfig {
  const file = configPath(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { portals: {} };
    throw new CliError(
      `cannot read ${file} (${
        (error as NodeJS.ErrnoException).code ?? 'error'
      })`,
      ExitCode.Usage,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CliError(
      `${file} is not valid JSON — fix it or delete it and run \`khal login\` again`,
      ExitCode.Usage,
    );
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CliError(
      `${file} is not a khal config file — delete it and run \`khal login\` again`,
      ExitCode.Usage,
    );
  }
  return parsed.data;
}

export function writeConfig(
  config: KhalConfig,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const dir = configDir(env);
  fs.mkdirSync(dir, { recursive: true, mode: CONFIG_DIR_MODE });
  // mkdir's mode is masked by the umask and ignored for an existing directory: set it explicitly.
  fs.chmodSync(dir, CONFIG_DIR_MODE);
  const file = configPath(env);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, {
    mode: CONFIG_FILE_MODE,
    flag: 'w',
  });
  fs.chmodSync(tmp, CONFIG_FILE_MODE);
  fs.renameSync(tmp, file);
  return file;
}

/** Whether group or others can read the config file (then a warning is printed). */
export function configIsExposed(env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    // eslint-disable-next-line no-bitwise
    return (fs.statSync(configPath(env)).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/** Portal URLs are keys of the config file: one spelling per portal. */
export function normalizePortalUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new CliError(
      `"${input}" is not a portal URL — give the portal's base URL, e.g. http://localhost:7007`,
      ExitCode.Usage,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(
      `the portal URL must be http(s), not ${url.protocol}`,
      ExitCode.Usage,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
