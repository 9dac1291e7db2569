import { Command } from 'commander';
import { answer } from '../client/portalClient';
import { clientFor, ioFor, PortalOptions, printJson, withPortalOptions } from './common';
import { printPromotion } from './promotionText';

interface BreakGlassOptions extends PortalOptions {
  reason: string;
}

interface ReviewOptions extends PortalOptions {
  comment?: string;
}

/**
 * `khal breakglass <id> --reason` (operators: override the failing gates, never approvals) and
 * `khal review ack <id>` (someone other than the breaker acknowledges the review).
 */
export function registerBreakGlass(program: Command): void {
  withPortalOptions(
    program
      .command('breakglass')
      .description(
        'operators: override the failing entry gates of an open promotion (never its approvals); the reason is shown everywhere and a review waits for someone else',
      )
      .argument('<promotion-id>', 'the blocked promotion, e.g. from `khal status`')
      .requiredOption('--reason <text>', 'why the gates are overridden now (at least 10 characters)'),
  ).action(async (id: string, opts: BreakGlassOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const client = clientFor(opts, io);
    const promotion = await answer(
      client.api.POST('/promotions/{id}/break-glass', {
        params: { path: { id } },
        body: { reason: opts.reason },
      }),
    );
    if (io.json) {
      printJson(io, promotion);
      return;
    }
    io.term.out(`Broke the glass on ${id}; a review now waits for someone other than you.`);
    printPromotion(io, promotion);
  });

  const review = program.command('review').description('post-hoc reviews of break-glass promotions');
  withPortalOptions(
    review
      .command('ack')
      .description('acknowledge the review of a break-glass (not the person who broke it)')
      .argument('<promotion-id>', 'the promotion that carries the break-glass mark')
      .option('--comment <text>', 'what you checked'),
  ).action(async (id: string, opts: ReviewOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const client = clientFor(opts, io);
    const promotion = await answer(
      client.api.POST('/promotions/{id}/break-glass/review', {
        params: { path: { id } },
        body: opts.comment ? { comment: opts.comment } : {},
      }),
    );
    if (io.json) {
      printJson(io, promotion);
      return;
    }
    io.term.out(`Acknowledged the break-glass review of ${id}.`);
    printPromotion(io, promotion);
  });
}
