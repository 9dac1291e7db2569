import { Command } from 'commander';
import { promotionSchema } from '@khal/plugin-ladder-common';
import { z } from 'zod';
import {
  clientFor,
  ioFor,
  PortalOptions,
  printJson,
  withPortalOptions,
} from './common';
import { printPromotion } from './promotionText';

interface ApproveOptions extends PortalOptions {
  reject?: boolean;
  comment: string;
}

/** The approvals route answers with the promotion, or with `{ promotion }` around it. */
const approvalAnswerSchema = z.union([
  promotionSchema,
  z.object({ promotion: promotionSchema }).transform(a => a.promotion),
]);

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
    const promotion = await client.post(
      `/promotions/${encodeURIComponent(id)}/approvals`,
      {
        body: {
          decision: opts.reject ? 'reject' : 'approve',
          comment: opts.comment,
        },
        schema: approvalAnswerSchema,
        idempotent: true,
      },
    );
    if (io.json) {
      printJson(io, promotion);
      return;
    }
    io.term.out(`${opts.reject ? 'Rejected' : 'Approved'} ${id}.`);
    printPromotion(io, promotion);
  });
}
