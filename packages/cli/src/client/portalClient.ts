import { randomUUID } from 'node:crypto';
import {
  createLadderApiClient,
  type LadderApiClient,
  type LadderApiSchemas,
} from '@khal/plugin-ladder-common';
import { ladderAnswerProblems } from '@khal/plugin-ladder-common/spec';
import { CliError, ExitCode } from '../exitCodes';
import { Session } from '../config/session';

/*
 * The CLI's side of the ladder API: the client generated from the OpenAPI contract
 * (`@khal/plugin-ladder-common`), with what only the terminal needs around it — the token, the
 * portal's address, a timeout, `--verbose` lines, every answer checked against the same contract,
 * and failures turned into the CLI's one-line errors and exit codes. Paths, parameters, bodies and
 * answers are the contract's; nothing here names a route.
 */

/** How long one request may take before the portal counts as unreachable. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Where the ladder API is mounted on a portal. */
const LADDER_API_PREFIX = '/api/ladder';

import type { UnresolvedFact } from './contract';

/** A 422: the CLI prints each fact that the portal could not resolve. */
export class UnresolvedFactsError extends CliError {
  readonly facts: UnresolvedFact[];

  constructor(message: string, facts: UnresolvedFact[]) {
    super(
      message,
      ExitCode.Unresolved,
      facts.map(f => `  - ${f.fact}: ${f.howToConfigure}`),
    );
    this.facts = facts;
  }
}

/** An HTTP error from the portal, kept with its status so callers can branch (doctor does). */
export class PortalError extends CliError {
  readonly status: number;

  constructor(message: string, exitCode: CliError['exitCode'], status: number) {
    super(message, exitCode);
    this.status = status;
  }
}

export interface PortalClientOptions {
  /** Receives one line per request (method, path, status, duration) under `--verbose`. */
  verbose?: (line: string) => void;
  /**
   * Sends requests without a token instead of refusing to (doctor's "is the portal up?" probe,
   * where any HTTP answer will do).
   */
  anonymous?: boolean;
}

/**
 * A fresh `Idempotency-Key` header for one create, approve or claim: a retry of the same request
 * with the same key returns the first result instead of doing it twice.
 */
export function idempotencyKey(): { 'Idempotency-Key': string } {
  return { 'Idempotency-Key': randomUUID() };
}

/** The generated ladder API client, talking to one portal as one session. */
export interface PortalClient {
  readonly portal: string;
  readonly hasToken: boolean;
  /** Call as `api.GET('/promotions/{id}', { params: { path: { id } } })`; see {@link answer}. */
  readonly api: LadderApiClient;
}

/**
 * The body of a successful call. Failed answers never get here: the client throws them as
 * `PortalError`s (or an `UnresolvedFactsError`) first.
 */
export async function answer<T>(
  call: Promise<{ data?: T; response: Response }>,
): Promise<T> {
  const { data, response } = await call;
  if (data === undefined) {
    throw new CliError(
      `the portal's answer to ${response.url} had no body, which the ladder API contract does not allow`,
      ExitCode.Failed,
    );
  }
  return data;
}

export function createPortalClient(
  session: Session,
  options: PortalClientOptions = {},
): PortalClient {
  const { portal, token, tokenSource } = session;
  const api = createLadderApiClient({
    baseUrl: () => `${portal}${LADDER_API_PREFIX}`,
    fetch: async (url, init) => {
      const method = init.method ?? 'GET';
      const pathname = new URL(url).pathname.slice(LADDER_API_PREFIX.length);
      if (!token && !options.anonymous) {
        throw new CliError(
          `not logged in to ${portal} — run \`khal login --portal ${portal}\` or set KHAL_TOKEN`,
          ExitCode.Auth,
        );
      }
      const headers = new Headers(init.headers);
      headers.set('accept', 'application/json');
      if (token && !options.anonymous)
        headers.set('authorization', `Bearer ${token}`);
      const started = Date.now();
      let response: Response;
      try {
        response = await fetchPortal(portal, url, { ...init, headers });
      } catch (error) {
        // Only what was asked and how long it took: never a header or a body.
        options.verbose?.(
          `${method} ${LADDER_API_PREFIX}${pathname} -> no answer (${
            Date.now() - started
          } ms)`,
        );
        throw error;
      }
      const text = await response.text();
      options.verbose?.(
        `${method} ${LADDER_API_PREFIX}${pathname} -> ${response.status} (${
          Date.now() - started
        } ms)`,
      );
      const body = parseJson(text);
      if (!response.ok) {
        throw errorFor(
          { portal, tokenSource },
          method,
          pathname,
          response.status,
          body,
          text,
        );
      }
      const problems = ladderAnswerProblems({
        method,
        pathname,
        status: response.status,
        body,
      });
      if (problems.length) {
        // A field that is there but wrong says more than one that is missing: it goes first.
        const problem =
          problems.find(p => !p.place.startsWith('(')) ?? problems[0];
        const where = problem.place.startsWith('(')
          ? ''
          : ` at ${problem.place}`;
        const more =
          problems.length > 1
            ? ` (and ${problems.length - 1} more${
                options.verbose ? ', listed above' : '; --verbose lists them'
              })`
            : '';
        for (const p of problems)
          options.verbose?.(`  ${p.place}: ${p.message}`);
        throw new CliError(
          `the portal's answer to ${method} ${pathname} does not match the ladder API contract${where}: ${problem.message}${more} — is the CLI older or newer than the portal?`,
          ExitCode.Failed,
        );
      }
      return new Response(text, {
        status: response.status,
        headers: response.headers,
      });
    },
  });
  return { portal, hasToken: Boolean(token), api };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type ErrorBody = Partial<LadderApiSchemas['UnresolvedError']>;

function errorFor(
  session: { portal: string; tokenSource?: string },
  method: string,
  path: string,
  status: number,
  body: unknown,
  text: string,
): CliError {
  const error = (
    body && typeof body === 'object' ? (body as ErrorBody).error : undefined
  ) as ErrorBody['error'] | undefined;
  const backendMessage =
    typeof error?.message === 'string' ? error.message : undefined;
  const serverMessage = oneLine(
    backendMessage ??
      (text && !text.trimStart().startsWith('<') ? text : `HTTP ${status}`),
  );
  const { portal, tokenSource } = session;
  if (status === 401) {
    const source = tokenSource ? ` (token from ${tokenSource})` : '';
    return new PortalError(
      `the portal at ${portal} rejected the token${source}: ${serverMessage} — run \`khal login --portal ${portal}\``,
      ExitCode.Auth,
      status,
    );
  }
  if (status === 403) {
    return new PortalError(
      `not allowed: ${serverMessage}`,
      ExitCode.Failed,
      status,
    );
  }
  if (status === 404) {
    return new PortalError(
      `not found: ${serverMessage}`,
      ExitCode.NotFound,
      status,
    );
  }
  if (status === 422) {
    const facts = unresolvedFactsIn(body);
    // The backend's message repeats the facts on the lines after the first; they are printed
    // one per line below it, so only the first line is kept.
    const first = backendMessage?.split('\n')[0];
    const headline =
      facts.length && first
        ? first.replace(/[;:,]?\s*configure:?\s*$/i, '').trim()
        : serverMessage;
    return new UnresolvedFactsError(`cannot resolve: ${headline}`, facts);
  }
  if (status === 400 || status === 413) {
    return new PortalError(
      `the portal rejected the request: ${serverMessage}`,
      ExitCode.Usage,
      status,
    );
  }
  if (status === 409) {
    return new PortalError(
      `conflict: ${serverMessage}`,
      ExitCode.Failed,
      status,
    );
  }
  return new PortalError(
    `${method} ${path} failed with HTTP ${status}: ${serverMessage}`,
    ExitCode.Failed,
    status,
  );
}

/** The facts of a 422 where the contract puts them (`UnresolvedError`: `error.unresolved`). */
export function unresolvedFactsIn(body: unknown): UnresolvedFact[] {
  const facts =
    body && typeof body === 'object'
      ? (body as ErrorBody).error?.unresolved
      : undefined;
  if (!Array.isArray(facts)) return [];
  return facts.filter(
    (f): f is UnresolvedFact =>
      Boolean(f) &&
      typeof f.fact === 'string' &&
      typeof f.howToConfigure === 'string',
  );
}

/**
 * `fetch`, with network failures turned into the one "cannot reach the portal" line. Routes that
 * hold a request open (the scaffolder's task events, up to 30 s) pass a longer timeout.
 */
export async function fetchPortal(
  portal: string,
  url: URL | string,
  init: RequestInit,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw unreachable(portal, error);
  }
}

export function unreachable(portal: string, error: unknown): CliError {
  const err = error as {
    name?: string;
    cause?: { code?: string; message?: string };
    code?: string;
  };
  let reason =
    err.cause?.code ?? err.code ?? err.cause?.message ?? 'network error';
  if (err.name === 'TimeoutError')
    reason = `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
  return new CliError(
    `cannot reach the portal at ${portal} (${reason}) — is it running? set --portal or KHAL_PORTAL`,
    ExitCode.Unreachable,
  );
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
