import { CliError, ExitCode } from '../exitCodes';
import {
  configIsExposed,
  configPath,
  normalizePortalUrl,
  readConfig,
} from './configFile';

/** Where to send requests and with which token, after flags, environment and config file. */
export interface Session {
  portal: string;
  token?: string;
  /** Where the token came from, for error messages ("KHAL_TOKEN", the config file…). */
  tokenSource?: string;
}

/**
 * Resolves the portal and token. Precedence: `--portal` flag, `KHAL_PORTAL`, the config file's
 * current portal; `KHAL_TOKEN`, then the token stored for that portal.
 */
export function resolveSession(
  opts: { portal?: string },
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = () => {},
): Session {
  const config = readConfig(env);
  const rawPortal = opts.portal ?? env.KHAL_PORTAL ?? config.currentPortal;
  if (!rawPortal) {
    throw new CliError(
      'no portal configured — run `khal login --portal <url>`, or set --portal or KHAL_PORTAL',
      ExitCode.Usage,
    );
  }
  const portal = normalizePortalUrl(rawPortal);
  if (env.KHAL_TOKEN) {
    return { portal, token: env.KHAL_TOKEN.trim(), tokenSource: 'KHAL_TOKEN' };
  }
  const entry = config.portals[portal];
  if (entry && configIsExposed(env)) {
    warn(
      `warning: ${configPath(
        env,
      )} is readable by other users — run \`chmod 600 ${configPath(env)}\``,
    );
  }
  return entry
    ? { portal, token: entry.token, tokenSource: configPath(env) }
    : { portal };
}
