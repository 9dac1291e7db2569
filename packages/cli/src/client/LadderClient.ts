import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  IDEMPOTENCY_KEY_HEADER,
  UnresolvedFact,
  unresolvedFactSchema,
} from '@khal/plugin-ladder-common';
import { CliError, ExitCode } from '../exitCodes';
import { Session } from '../config/session';

/** How long one request may take before the portal counts as unreachable. */
const REQUEST_TIMEOUT_MS = 30_000;

type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions<T extends z.ZodType> {
  query?: Query;
  body?: unknown;
  schema: T;
  /** Sends an `Idempotency-Key`, so a retried create or approve returns the first result. */
  idempotent?: boolean;
  /** Requests that work without a token (none of the ladder API does today). */
  anonymous?: boolean;
}

/** The error body Backstage's error handler writes (`@backstage/errors` `ErrorResponseBody`). */
const errorBodySchema = z.looseObject({
  error: z
    .looseObject({
      name: z.string().optional(),
      message: z.string().optional(),
    })
    .optional(),
});

/** A 422 from `/plan`: the CLI prints each fact that the portal could not resolve. */
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

/**
 * The only way the CLI talks to the ladder: its REST API under `/api/ladder`. Every response is
 * parsed with the contract's zod schema, so a backend that drifts from the contract fails loudly
 * here instead of printing nonsense.
 */
export class LadderClient {
  readonly portal: string;
  private readonly token?: string;
  private readonly tokenSource?: string;

  constructor(session: Session) {
    this.portal = session.portal;
    this.token = session.token;
    this.tokenSource = session.tokenSource;
  }

  get hasToken(): boolean {
    return Boolean(this.token);
  }

  async get<T extends z.ZodType>(
    path: string,
    opts: RequestOptions<T>,
  ): Promise<z.output<T>> {
    return this.request('GET', path, opts);
  }

  async post<T extends z.ZodType>(
    path: string,
    opts: RequestOptions<T>,
  ): Promise<z.output<T>> {
    return this.request('POST', path, opts);
  }

  async request<T extends z.ZodType>(
    method: string,
    path: string,
    opts: RequestOptions<T>,
  ): Promise<z.output<T>> {
    if (!this.token && !opts.anonymous) {
      throw new CliError(
        `not logged in to ${this.portal} — run \`khal login --portal ${this.portal}\` or set KHAL_TOKEN`,
        ExitCode.Auth,
      );
    }
    const url = new URL(`${this.portal}/api/ladder${path}`);
    for (const [key, value] of Object.entries(opts.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.idempotent) headers[IDEMPOTENCY_KEY_HEADER] = randomUUID();

    const response = await fetchPortal(this.portal, url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await response.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (!response.ok) {
      throw this.errorFor(method, path, response.status, body, text);
    }
    const parsed = opts.schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      throw new CliError(
        `the portal's answer to ${method} ${path} does not match the ladder API contract${where}: ${
          issue?.message ?? 'unexpected shape'
        } — is the CLI older or newer than the portal?`,
        ExitCode.Failed,
      );
    }
    return parsed.data;
  }

  private errorFor(
    method: string,
    path: string,
    status: number,
    body: unknown,
    text: string,
  ): CliError {
    const parsedBody = errorBodySchema.safeParse(body);
    const serverMessage = oneLine(
      (parsedBody.success ? parsedBody.data.error?.message : undefined) ??
        (text && !text.trimStart().startsWith('<') ? text : `HTTP ${status}`),
    );
    if (status === 401) {
      const source = this.tokenSource
        ? ` (token from ${this.tokenSource})`
        : '';
      return new PortalError(
        `the portal at ${this.portal} rejected the token${source}: ${serverMessage} — run \`khal login --portal ${this.portal}\``,
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
      const first = (
        parsedBody.success ? parsedBody.data.error?.message : undefined
      )?.split('\n')[0];
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
}

/**
 * The facts of a 422. The contract types each fact (`unresolvedFactSchema`) but not where the list
 * sits in the error body, so the usual places are all read: `unresolved`, `facts`, `details`, at
 * the top level or inside `error`.
 */
export function unresolvedFactsIn(body: unknown): UnresolvedFact[] {
  const list = z.array(unresolvedFactSchema);
  const candidates: unknown[] = [];
  if (body && typeof body === 'object') {
    const top = body as Record<string, unknown>;
    const inner = (
      top.error && typeof top.error === 'object' ? top.error : {}
    ) as Record<string, unknown>;
    for (const source of [top, inner]) {
      candidates.push(
        source.unresolved,
        source.facts,
        source.details,
        source.unresolvedFacts,
      );
    }
    if (Array.isArray(body)) candidates.unshift(body);
  }
  for (const candidate of candidates) {
    const parsed = list.safeParse(candidate);
    if (parsed.success && parsed.data.length > 0) return parsed.data;
  }
  return [];
}

/** `fetch`, with network failures turned into the one "cannot reach the portal" line. */
export async function fetchPortal(
  portal: string,
  url: URL | string,
  init: RequestInit,
): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
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
