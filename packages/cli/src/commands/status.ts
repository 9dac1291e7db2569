import { Command } from 'commander';
import type { EntityLadderResponse } from '../client/contract';
import { activeFreeze, durationUntil } from '@khal/plugin-ladder-common';
import { formatTable } from '../output/table';
import { Style } from '../output/terminal';
import { resolveEntityRef } from '../workspace/appManifest';
import {
  clientFor,
  CommandIo,
  fetchEntityLadder,
  ioFor,
  nextStepText,
  PortalOptions,
  printJson,
  shortRef,
  withPortalOptions,
} from './common';
import { paintPhase } from './promotionText';
import { badCommitLine, pauseLines } from './releasePolicy';
import { timeRuleLines } from './timeRules';

interface StatusOptions extends PortalOptions {
  entity?: string;
}

const styleByStatus: Record<string, Style> = {
  proven: 'green',
  // Placed but nothing proved it (the rung has no proof checks): never green.
  unverified: 'yellow',
  placed: 'cyan',
  proving: 'cyan',
  failed: 'red',
  drifted: 'yellow',
  unknown: 'yellow',
  empty: 'gray',
};

export function printStatus(io: CommandIo, entity: EntityLadderResponse): void {
  const { paint } = io.term;
  io.term.out(
    `${paint('bold', entity.entityRef)} on ${entity.ladder.title} (${
      entity.ladder.id
    })`,
  );
  io.term.out('');
  const rows = entity.rungs.map((view, i) => {
    const open = entity.openPromotions.find(p => p.toRung === view.rung.id);
    return [
      String(i + 1),
      view.rung.id + (view.rung.optional ? ' (optional)' : ''),
      view.rung.runtime,
      shortRef(view.placement?.ref) +
        (entity.badCommits?.some(b => b.sha === view.placement?.ref)
          ? ` ${paint('red', '(bad)')}`
          : ''),
      paint(styleByStatus[view.status] ?? 'gray', view.status),
      view.placement
        ? view.placement.placedAt.slice(0, 16).replace('T', ' ')
        : '-',
      open
        ? `${open.id} ${shortRef(open.ref)} ${paintPhase(io, open.phase)}`
        : '-',
      view.rung.mutationPolicy,
    ];
  });
  const header = [
    '#',
    'RUNG',
    'RUNTIME',
    'REF',
    'STATUS',
    'SINCE',
    'OPEN PROMOTION',
    'POLICY',
  ].map(h => paint('bold', h));
  for (const line of formatTable(header, rows)) io.term.out(line);
  io.term.out('');
  io.term.out(`${paint('bold', 'Next:')} ${nextStepText(entity.next.summary)}`);
  for (const view of entity.rungs) {
    const freeze = activeFreeze(view.rung.freezes ?? []);
    if (freeze) {
      io.term.out(
        `${paint('yellow', 'Frozen:')} ${view.rung.id} until ${freeze.to} (in ${durationUntil(
          freeze.to,
        )}): ${freeze.reason}${freeze.scope === 'ladder' ? ' (the whole ladder)' : ''}`,
      );
    }
    for (const line of timeRuleLines(io, view.rung)) io.term.out(line);
  }
  for (const pause of entity.pauses ?? []) {
    io.term.out('');
    for (const line of pauseLines(io, pause)) io.term.out(line);
  }
  if (entity.badCommits?.length) {
    io.term.out('');
    io.term.out(paint('bold', 'Bad commits:'));
    for (const b of entity.badCommits) io.term.out(`  ${badCommitLine(b)}`);
  }
}

export function registerStatus(program: Command): void {
  withPortalOptions(
    program
      .command('status')
      .description(
        "the app's ladder as a table: what runs on each rung and what is open",
      )
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)'),
  ).action(async (opts: StatusOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const entityRef = resolveEntityRef(opts.entity, io.cwd);
    const entity = await fetchEntityLadder(clientFor(opts, io), entityRef);
    if (io.json) printJson(io, entity);
    else printStatus(io, entity);
  });
}
