import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { ScaffolderClient } from '@backstage/plugin-scaffolder-common';
import { fetchPortal } from '../client/portalClient';
import type { Session } from '../config/session';
import { CliError, ExitCode } from '../exitCodes';

/*
 * The portal's scaffolder, through the stock ScaffolderClient (@backstage/plugin-scaffolder-common)
 * with the token from `khal login`. The client reports failures as raw response text, so the
 * fetch given to it keeps the last failure as a sentence and an exit code, for the command to
 * throw instead.
 */

/** Long enough for the events route, which holds a request open until there is news. */
const REQUEST_TIMEOUT_MS = 120_000;

export interface PortalScaffolder {
  client: ScaffolderClient;
  /** The last failed request as a readable error (cleared by {@link PortalScaffolder.take}). */
  take(): CliError | undefined;
}

function failure(
  portal: string,
  status: number,
  path: string,
  body: string,
): CliError {
  let message = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body);
    if (typeof parsed?.error?.message === 'string')
      message = parsed.error.message;
  } catch {
    // Not a Backstage error body; the status says enough.
  }
  const line = message.replace(/\s+/g, ' ').trim().slice(0, 300);
  if (status === 401)
    return new CliError(
      `the portal at ${portal} rejected the token: ${line} — run \`khal login --portal ${portal}\``,
      ExitCode.Auth,
    );
  if (status === 403)
    return new CliError(`not allowed: ${line}`, ExitCode.Failed);
  if (status === 404)
    return new CliError(`not found: ${line} (${path})`, ExitCode.NotFound);
  if (status === 400)
    return new CliError(
      `the scaffolder rejected the request: ${line}`,
      ExitCode.Usage,
    );
  return new CliError(
    `the scaffolder answered ${path} with HTTP ${status}: ${line}`,
    ExitCode.Failed,
  );
}

export function createPortalScaffolder(
  session: Session,
  verbose?: (line: string) => void,
): PortalScaffolder {
  const { portal, token } = session;
  if (!token) {
    throw new CliError(
      `not logged in to ${portal} — run \`khal login --portal ${portal}\` or set KHAL_TOKEN`,
      ExitCode.Auth,
    );
  }
  let last: CliError | undefined;
  const fetchApi = {
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      const started = Date.now();
      let response: Response;
      try {
        response = await fetchPortal(
          portal,
          url,
          { ...init, headers },
          REQUEST_TIMEOUT_MS,
        );
      } catch (error) {
        last =
          error instanceof CliError
            ? error
            : new CliError(String(error), ExitCode.Unreachable);
        verbose?.(`${init?.method ?? 'GET'} ${url.pathname} -> no answer`);
        // Answered, not thrown: the client's log polling runs detached and would crash on a throw.
        return new Response('', { status: 503 });
      }
      verbose?.(
        `${init?.method ?? 'GET'} ${url.pathname} -> ${response.status} (${
          Date.now() - started
        } ms)`,
      );
      if (!response.ok) {
        const text = await response.text();
        last = failure(portal, response.status, url.pathname, text);
        return new Response(text, {
          status: response.status,
          headers: response.headers,
        });
      }
      return response;
    }) as typeof fetch,
  };
  const client = new ScaffolderClient({
    discoveryApi: { getBaseUrl: async pluginId => `${portal}/api/${pluginId}` },
    fetchApi,
    scmIntegrationsApi: ScmIntegrations.fromConfig(new ConfigReader({})),
    // Polling GET /v2/tasks/:id/events: plain HTTP, works in any terminal and CI.
    useLongPollingLogs: true,
  });
  return {
    client,
    take: () => {
      const error = last;
      last = undefined;
      return error;
    },
  };
}
