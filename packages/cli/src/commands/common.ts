import { Command } from 'commander';
import {
  answer,
  createPortalClient,
  PortalClient,
} from '../client/portalClient';
import type { EntityLadderResponse } from '../client/contract';
import { resolveSession, Session } from '../config/session';
import { parseEntityRef } from '../workspace/appManifest';
import { createTerminal, Terminal } from '../output/terminal';

/** Options every command that talks to the portal accepts. */
export interface PortalOptions {
  portal?: string;
  json?: boolean;
}

/** What a command's action gets besides its own options. */
export interface CommandIo {
  term: Terminal;
  json: boolean;
  cwd: string;
  /** `--verbose`: one stderr line per request (method, path, status, duration), nothing secret. */
  verbose: boolean;
}

export function withPortalOptions(cmd: Command): Command {
  return cmd
    .option(
      '--portal <url>',
      'portal base URL (default: KHAL_PORTAL, then the one from `khal login`)',
    )
    .option(
      '--json',
      'print one JSON document on stdout (shapes in the README)',
    );
}

export function ioFor(cmd: Command, opts: PortalOptions): CommandIo {
  const root = rootOf(cmd);
  const color = root.opts().color !== false;
  return {
    term: createTerminal({ color }),
    json: Boolean(opts.json),
    cwd: process.cwd(),
    verbose: Boolean(root.opts().verbose),
  };
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

export function clientFor(opts: PortalOptions, io: CommandIo): PortalClient {
  return clientOf(
    resolveSession({ portal: opts.portal }, process.env, io.term.err),
    io,
  );
}

/** The ladder API client for a session, printing requests under `--verbose`. */
export function clientOf(
  session: Session,
  io: CommandIo,
  options: { anonymous?: boolean } = {},
): PortalClient {
  return createPortalClient(session, {
    ...options,
    verbose: io.verbose ? line => io.term.err(`khal: ${line}`) : undefined,
  });
}

export function printJson(io: CommandIo, value: unknown): void {
  io.term.out(JSON.stringify(value, null, 2));
}

export async function fetchEntityLadder(
  client: PortalClient,
  entityRef: string,
): Promise<EntityLadderResponse> {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return answer(
    client.api.GET('/entities/{kind}/{namespace}/{name}', {
      params: { path: { kind, namespace, name } },
    }),
  );
}

/** A short ref for people: commits are shown as 7 characters, tags as they are. */
export function shortRef(ref: string | null | undefined): string {
  if (!ref) return '-';
  return /^[0-9a-f]{40,64}$/.test(ref) ? ref.slice(0, 7) : ref;
}

/** The portal's one-line next step, without its own "Next:" (the CLI prints the label). */
export function nextStepText(summary: string): string {
  return summary.replace(/^next:\s*/i, '');
}

/** Milliseconds between polls; tests shorten it with KHAL_POLL_INTERVAL_MS. */
export function pollIntervalMs(): number {
  const fromEnv = Number(process.env.KHAL_POLL_INTERVAL_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 2000;
}
