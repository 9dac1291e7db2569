import { Command } from 'commander';
import { answer, idempotencyKey } from '../client/portalClient';
import {
  clientFor,
  ioFor,
  PortalOptions,
  printJson,
  withPortalOptions,
} from './common';
import { printPromotion } from './promotionText';
import { printPromotionFooter } from '../output/stepFooter';

interface ApproveOptions extends PortalOptions {
  reject?: boolean;
  comment: string;
}

export function registerApprove(program: Command): void {
  withPortalOptions(
    program
      .command('approve')
      .description(
        'approve (or --reject) a promotion; the portal knows who you are from your token',
      )
      .argument(
        '<promotion-id>',
        'the promotion, e.g. from `khal context` or the portal inbox',
      )
      .option('--reject', 'reject instead of approve')
      .requiredOption('--comment <text>', 'what you checked, or why not'),
  ).action(async (id: string, opts: ApproveOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const client = clientFor(opts, io);
    const promotion = await answer(
      client.api.POST('/promotions/{id}/approvals', {
        params: { path: { id }, header: idempotencyKey() },
        body: {
          decision: opts.reject ? 'reject' : 'approve',
          comment: opts.comment,
        },
      }),
    );
    if (io.json) {
      printJson(io, promotion);
      return;
    }
    io.term.out(`${opts.reject ? 'Rejected' : 'Approved'} ${id}.`);
    printPromotion(io, promotion);
    await printPromotionFooter(client, io, promotion);
  });
}
