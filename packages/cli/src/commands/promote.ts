import { Command } from 'commander';
import type { Promotion } from '../client/contract';
import {
  answer,
  idempotencyKey,
  type PortalClient,
} from '../client/portalClient';
import { CliError, ExitCode } from '../exitCodes';
import { whomToAsk } from '../output/whomToAsk';
import { resolveTarget } from '../ladder/targetRung';
import { startSpinner } from '../output/spinner';
import { printPromotionFooter } from '../output/stepFooter';
import { resolveEntityRef } from '../workspace/appManifest';
import { resolveRef } from '../workspace/gitRef';
import {
  clientFor,
  CommandIo,
  fetchEntityLadder,
  ioFor,
  pollIntervalMs,
  PortalOptions,
  printJson,
  shortRef,
  withPortalOptions,
} from './common';
import {
  gateProgress,
  isTerminalPhase,
  phaseText,
  printPromotion,
} from './promotionText';

interface PromoteOptions extends PortalOptions {
  to: string;
  ref?: string;
  entity?: string;
  reason?: string;
  explanation?: string;
  rollback?: boolean;
  wait?: boolean;
  timeout: string;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Network blips while waiting are retried a few times before the wait gives up. */
const POLL_RETRIES = 3;

async function pollOnce(client: PortalClient, id: string): Promise<Promotion> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await answer(
        client.api.GET('/promotions/{id}', { params: { path: { id } } }),
      );
    } catch (error) {
      const transient =
        error instanceof CliError && error.exitCode === ExitCode.Unreachable;
      if (!transient || attempt >= POLL_RETRIES) throw error;
      await sleep(pollIntervalMs() * attempt);
    }
  }
}

/** Polls until the promotion reaches a terminal phase, showing gate progress as it changes. */
export async function waitForTerminal(
  client: PortalClient,
  io: CommandIo,
  first: Promotion,
  timeoutSeconds: number,
): Promise<Promotion> {
  let current = first;
  const line = (p: Promotion) =>
    `${p.id}: ${phaseText(p.phase)} — ${gateProgress(p)}${
      p.phaseMessage ? ` — ${p.phaseMessage}` : ''
    }`;
  const spinner = startSpinner(line(current), io.term.interactive);
  const deadline = Date.now() + timeoutSeconds * 1000;
  try {
    while (!isTerminalPhase(current.phase)) {
      if (Date.now() > deadline) {
        throw new CliError(
          `still ${phaseText(
            current.phase,
          )} after ${timeoutSeconds}s — \`khal context --target ${
            current.toRung
          }\` shows what it waits for`,
          ExitCode.Failed,
        );
      }
      await sleep(pollIntervalMs());
      current = await pollOnce(client, current.id);
      spinner.update(line(current));
    }
  } finally {
    spinner.stop();
  }
  return current;
}

export function registerPromote(program: Command): void {
  withPortalOptions(
    program
      .command('promote')
      .description(
        'request a promotion of a ref to a rung; --wait follows the gates until it ends',
      )
      .requiredOption('--to <rung>', 'rung id or alias to promote to')
      .option(
        '--ref <ref>',
        'commit, tag or image tag (default: git rev-parse HEAD)',
      )
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)')
      .option('--reason <text>', 'why (shown to approvers)')
      .option(
        '--explanation <text>',
        'customer-rung explanation (required where the rung asks for one)',
      )
      .option('--rollback', 'this is a rollback to an earlier ref')
      .option(
        '--wait',
        'show gate progress until the promotion reaches a terminal phase',
      )
      .option('--timeout <seconds>', 'give up waiting after this long', '1800'),
  ).action(async (opts: PromoteOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const timeout = Number(opts.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new CliError(
        '--timeout must be a positive number of seconds',
        ExitCode.Usage,
      );
    const entityRef = resolveEntityRef(opts.entity, io.cwd);
    const ref = resolveRef({ ref: opts.ref }, io.cwd);
    const client = clientFor(opts, io);
    // Resolved here first so an unknown rung is a "not found" (exit 5) listing the rungs.
    const { rung } = resolveTarget(
      await fetchEntityLadder(client, entityRef),
      opts.to,
    );
    if (rung.metadata?.requiresExplanation && !opts.explanation?.trim()) {
      const customer = rung.metadata.customer ?? 'the customer';
      throw new CliError(
        `${rung.title} asks for an explanation its approvers read first: add --explanation "<what changes for ${customer} and why>"`,
        ExitCode.Usage,
      );
    }
    let promotion = await answer(
      client.api.POST('/promotions', {
        params: { header: idempotencyKey() },
        body: {
          entityRef,
          toRung: rung.id,
          ref,
          kind: opts.rollback ? 'rollback' : 'promotion',
          ...(opts.reason ? { reason: opts.reason } : {}),
          ...(opts.explanation ? { explanation: opts.explanation } : {}),
        },
      }),
    );
    if (!io.json) {
      io.term.out(
        `Requested ${promotion.id}: ${entityRef} ${shortRef(ref)} → ${
          promotion.toRung
        }`,
      );
    }
    if (opts.wait)
      promotion = await waitForTerminal(client, io, promotion, timeout);
    if (io.json) printJson(io, promotion);
    else {
      printPromotion(io, promotion);
      await printPromotionFooter(client, io, promotion);
    }
    // A gate that blocks ends with who can unblock the rung and how to ask them.
    const blocked = promotion.phase !== 'Promoted' && promotion.gates.some(g => g.status !== 'passed');
    if (blocked && !io.json) {
      const help = whomToAsk(rung, { target: opts.to, ...(opts.entity ? { entityRef } : {}) });
      for (const line of help.lines) io.term.err(line);
    }
    if (opts.wait && promotion.phase !== 'Promoted')
      process.exitCode = ExitCode.Failed;
  });
}
