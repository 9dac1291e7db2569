import { Command } from 'commander';
import { z } from 'zod';
import { answer, fetchPortal } from '../client/portalClient';
import {
  normalizePortalUrl,
  readConfig,
  writeConfig,
} from '../config/configFile';
import { CliError, ExitCode } from '../exitCodes';
import { clientOf, ioFor, printJson } from './common';

const demoRefreshSchema = z.object({
  backstageIdentity: z.object({ token: z.string().min(1) }),
});

interface LoginOptions {
  portal?: string;
  tokenStdin?: boolean;
  demoUser?: string;
  json?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** The user a Backstage token names (its `sub` claim), read without verifying — for display. */
export function tokenSubject(token: string): string | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    return typeof payload?.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

/** A demo user's token, the way the README shows with curl (demo sign-in only). */
async function demoToken(
  portal: string,
  user: string,
  verbose?: (line: string) => void,
): Promise<string> {
  const started = Date.now();
  const response = await fetchPortal(
    portal,
    `${portal}/api/auth/demo/refresh`,
    {
      headers: {
        'x-khal-demo-user': user,
        'x-requested-with': 'XMLHttpRequest',
      },
    },
  );
  // Not the ladder API (the auth backend's demo sign-in), so logged here the same way; never the token.
  verbose?.(
    `khal: GET /api/auth/demo/refresh -> ${response.status} (${
      Date.now() - started
    } ms)`,
  );
  if (!response.ok) {
    throw new CliError(
      `the portal at ${portal} gave no demo token for "${user}" (HTTP ${response.status}) — is the demo sign-in enabled (app-config.yaml) and "${user}" a demo user?`,
      ExitCode.Auth,
    );
  }
  const parsed = demoRefreshSchema.safeParse(
    await response.json().catch(() => undefined),
  );
  if (!parsed.success) {
    throw new CliError(
      `the portal's demo sign-in answered without a token`,
      ExitCode.Auth,
    );
  }
  return parsed.data.backstageIdentity.token;
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description(
      'store a Backstage token for a portal (user-only file permissions; never printed)',
    )
    .option(
      '--portal <url>',
      'portal base URL, e.g. http://localhost:7007 (default: KHAL_PORTAL)',
    )
    .option('--token-stdin', 'read the token from stdin')
    .option(
      '--demo-user <user>',
      "get a demo user's token from the portal's demo sign-in",
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: LoginOptions, cmd: Command) => {
      const io = ioFor(cmd, opts);
      const rawPortal = opts.portal ?? process.env.KHAL_PORTAL;
      if (!rawPortal)
        throw new CliError(
          'give --portal <url> (or set KHAL_PORTAL)',
          ExitCode.Usage,
        );
      const portal = normalizePortalUrl(rawPortal);
      if (opts.tokenStdin && opts.demoUser) {
        throw new CliError(
          'give either --token-stdin or --demo-user, not both',
          ExitCode.Usage,
        );
      }
      let token: string;
      if (opts.demoUser) {
        token = await demoToken(
          portal,
          opts.demoUser,
          io.verbose ? io.term.err : undefined,
        );
      } else if (opts.tokenStdin || !process.stdin.isTTY) {
        token = await readStdin();
        if (!token) throw new CliError('no token on stdin', ExitCode.Usage);
      } else {
        throw new CliError(
          'give --token-stdin (and pipe the token in) or --demo-user <user>; tokens are never taken as arguments, where shell history would keep them',
          ExitCode.Usage,
        );
      }
      if (/\s/.test(token))
        throw new CliError('the token contains whitespace', ExitCode.Usage);

      // Check the token before storing it: a typo should fail now, not on the next command.
      await answer(
        clientOf({ portal, token, tokenSource: 'login' }, io).api.GET(
          '/ladders',
        ),
      );

      const user = tokenSubject(token);
      const config = readConfig();
      config.portals[portal] = {
        token,
        user,
        savedAt: new Date().toISOString(),
      };
      config.currentPortal = portal;
      const file = writeConfig(config);
      if (io.json) {
        printJson(io, { portal, user: user ?? null, configFile: file });
      } else {
        io.term.out(
          `Logged in to ${portal}${
            user ? ` as ${user}` : ''
          } (token saved in ${file})`,
        );
        io.term.out(
          'Next: `khal doctor --target <rung>` from your app checkout; `eval "$(khal env)"` lets the pm2/kubectl commands the portal shows run as written.',
        );
      }
    });

  program
    .command('logout')
    .description('forget the token stored for a portal')
    .option('--portal <url>', 'portal base URL (default: the current one)')
    .action(async (opts: { portal?: string }, cmd: Command) => {
      const io = ioFor(cmd, {});
      const config = readConfig();
      const raw =
        opts.portal ?? process.env.KHAL_PORTAL ?? config.currentPortal;
      if (!raw) throw new CliError('not logged in anywhere', ExitCode.Usage);
      const portal = normalizePortalUrl(raw);
      delete config.portals[portal];
      if (config.currentPortal === portal) delete config.currentPortal;
      writeConfig(config);
      io.term.out(`Logged out of ${portal}`);
    });
}
