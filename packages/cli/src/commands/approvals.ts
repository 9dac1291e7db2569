import { Command } from 'commander';
import { answer } from '../client/portalClient';
import { formatTable } from '../output/table';
import {
  clientFor,
  ioFor,
  PortalOptions,
  printJson,
  shortRef,
  withPortalOptions,
} from './common';
import { paintPhase } from './promotionText';

export function registerApprovals(program: Command): void {
  withPortalOptions(
    program
      .command('approvals')
      .description('promotions waiting for your approval (your inbox)'),
  ).action(async (opts: PortalOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const list = await answer(
      clientFor(opts, io).api.GET('/promotions', {
        params: { query: { awaitingMyApproval: 'true' } },
      }),
    );
    if (io.json) {
      printJson(io, list);
      return;
    }
    if (!list.items.length) {
      io.term.out('Nothing waits for your approval.');
      return;
    }
    const header = [
      'ID',
      'APP',
      'REF',
      'TO',
      'REQUESTED BY',
      'PHASE',
      'APPROVALS',
    ].map(h => io.term.paint('bold', h));
    const rows = list.items.map(p => [
      p.id,
      p.entityRef,
      shortRef(p.ref),
      p.toRung,
      p.requestedBy,
      p.breakGlass
        ? `${paintPhase(io, p.phase)} ${io.term.paint('red', `BREAK-GLASS by ${p.breakGlass.by}`)}`
        : paintPhase(io, p.phase),
      p.approvalRequirement
        ? `${p.approvalRequirement.given}/${p.approvalRequirement.minimum}`
        : '-',
    ]);
    for (const line of formatTable(header, rows)) io.term.out(line);
    io.term.out('');
    io.term.out(
      'Decide with: khal approve <id> --comment "<what you checked>" [--reject]',
    );
  });
}
