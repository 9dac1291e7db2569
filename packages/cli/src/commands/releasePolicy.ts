import { Command } from 'commander';
import { describePauseScope } from '@khal/plugin-ladder-common';
import type { LadderApiSchemas } from '@khal/plugin-ladder-common';
import type { BadCommit, LinePause } from '../client/contract';
import { CliError, ExitCode } from '../exitCodes';
import { resolveEntityRef } from '../workspace/appManifest';
import { answer } from '../client/portalClient';
import {
  clientFor,
  CommandIo,
  fetchEntityLadder,
  ioFor,
  PortalOptions,
  printJson,
  shortRef,
  withPortalOptions,
} from './common';

/** One pause in force, as people read it (also used by `khal status`). */
export function pauseLines(io: CommandIo, pause: LinePause): string[] {
  const { paint } = io.term;
  return [
    `${paint('yellow', 'Line stopped:')} ${describePauseScope(pause)} is paused by ${pause.pausedBy} since ${pause.pausedAt}: "${pause.reason}"`,
    `  nothing moves up to it until an operator runs: khal line resume ${pause.id}`,
  ];
}

/** One bad commit, struck through for people who read it in a terminal. */
export function badCommitLine(b: BadCommit): string {
  return `${shortRef(b.sha)} BAD — "${b.reason}" (marked by ${b.markedBy} at ${b.markedAt}); never promoted anywhere`;
}

interface PauseOptions extends PortalOptions {
  reason: string;
  ladder?: string;
  rung?: string;
  entity?: string;
}

interface ResumeOptions extends PortalOptions {
  reason?: string;
}

interface LineStatusOptions extends PortalOptions {
  ladder?: string;
  entity?: string;
}

interface BadOptions extends PortalOptions {
  reason: string;
  entity?: string;
}

export function registerLine(program: Command): void {
  const line = program
    .command('line')
    .description(
      'stop the line: pause a ladder, a rung or one app (nothing is requested, approved, claimed or deployed to it), and resume it',
    );

  withPortalOptions(
    line
      .command('pause')
      .description(
        'pause one app (default: the one in khal-app.json), a rung (--rung, of --ladder or of the app\'s ladder) or a whole ladder (--ladder alone)',
      )
      .requiredOption('--reason <text>', 'why: everyone blocked by it reads this')
      .option('--ladder <id>', 'the ladder to pause (with --rung: the ladder of the rung)')
      .option('--rung <id>', 'the rung to pause, for every app on the ladder')
      .option('--entity <ref>', 'the app to pause (default: from khal-app.json)'),
  ).action(async (opts: PauseOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const client = clientFor(opts, io);
    if (opts.entity && (opts.ladder || opts.rung)) {
      throw new CliError(
        'pause either an app (--entity) or a ladder/rung (--ladder, --rung), not both',
        ExitCode.Usage,
      );
    }
    let body: LadderApiSchemas['CreateLinePauseRequest'];
    if (opts.rung) {
      const ladderId =
        opts.ladder ??
        (await fetchEntityLadder(client, resolveEntityRef(undefined, io.cwd)))
          .ladder.id;
      body = { scope: 'rung', ladderId, rungId: opts.rung, reason: opts.reason };
    } else if (opts.ladder) {
      body = { scope: 'ladder', ladderId: opts.ladder, reason: opts.reason };
    } else {
      body = {
        scope: 'entity',
        entityRef: resolveEntityRef(opts.entity, io.cwd),
        reason: opts.reason,
      };
    }
    const pause = await answer(client.api.POST('/pauses', { body }));
    if (io.json) {
      printJson(io, pause);
      return;
    }
    for (const l of pauseLines(io, pause)) io.term.out(l);
  });

  withPortalOptions(
    line
      .command('resume')
      .description('resume a pause (its id is in `khal line status`)')
      .argument('<pause-id>', 'the pause to resume')
      .option('--reason <text>', 'what was fixed'),
  ).action(async (id: string, opts: ResumeOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const pause = await answer(
      clientFor(opts, io).api.POST('/pauses/{id}/resume', {
        params: { path: { id } },
        body: opts.reason ? { reason: opts.reason } : {},
      }),
    );
    if (io.json) {
      printJson(io, pause);
      return;
    }
    io.term.out(
      `Resumed: ${describePauseScope(pause)} (paused by ${pause.pausedBy} since ${pause.pausedAt}) — resumed by ${pause.resumedBy} at ${pause.resumedAt}.`,
    );
  });

  withPortalOptions(
    line
      .command('status')
      .description('the pauses in force (all, or those over --ladder or --entity)')
      .option('--ladder <id>', 'only pauses over this ladder or its rungs')
      .option('--entity <ref>', 'only pauses over this app, its rungs and its ladder'),
  ).action(async (opts: LineStatusOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const list = await answer(
      clientFor(opts, io).api.GET('/pauses', {
        params: { query: { ladderId: opts.ladder, entityRef: opts.entity } },
      }),
    );
    if (io.json) {
      printJson(io, list);
      return;
    }
    if (list.items.length === 0) io.term.out('The line is running: no pause in force.');
    for (const pause of list.items) for (const l of pauseLines(io, pause)) io.term.out(l);
  });
}

export function registerCommit(program: Command): void {
  const commit = program
    .command('commit')
    .description('commits of an app on the ladder: mark one bad, take a mark back, list the bad ones');

  withPortalOptions(
    commit
      .command('bad')
      .description(
        'mark a commit bad (people who may approve a rung of the ladder): it is never promoted anywhere, its open promotions end',
      )
      .argument('<sha>', 'the full 40-hex commit SHA')
      .requiredOption('--reason <text>', 'what is wrong with it')
      .option('--entity <ref>', 'the app (default: from khal-app.json)'),
  ).action(async (sha: string, opts: BadOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    if (!/^[0-9a-f]{40}$/.test(sha)) {
      throw new CliError(
        `"${sha}" is not a full commit SHA: pass the 40-hex SHA (git rev-parse ${sha})`,
        ExitCode.Usage,
      );
    }
    const entityRef = resolveEntityRef(opts.entity, io.cwd);
    const marked = await answer(
      clientFor(opts, io).api.POST('/bad-commits', {
        body: { entityRef, sha, reason: opts.reason },
      }),
    );
    if (io.json) {
      printJson(io, marked);
      return;
    }
    io.term.out(`Marked ${entityRef} ${badCommitLine(marked)}.`);
    for (const p of marked.endedPromotions) {
      io.term.out(`  ended promotion ${p.id} to ${p.toRung}: ${p.phase}`);
    }
  });

  withPortalOptions(
    commit
      .command('unmark')
      .description(
        'take a bad mark back (the same people who may mark): the commit may be promoted again; what the mark ended stays ended',
      )
      .argument('<sha>', 'the commit SHA (full, or the short form `khal commit list-bad` shows)')
      .requiredOption('--reason <text>', 'why the commit is fine after all')
      .option('--entity <ref>', 'the app (default: from khal-app.json)'),
  ).action(async (sha: string, opts: BadOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    if (!/^[0-9a-f]{7,40}$/.test(sha)) {
      throw new CliError(`"${sha}" is not a commit SHA: pass at least 7 hex digits, as \`khal commit list-bad\` shows them`, ExitCode.Usage);
    }
    const entityRef = resolveEntityRef(opts.entity, io.cwd);
    const client = clientFor(opts, io);
    const marks = (await answer(client.api.GET('/bad-commits', { params: { query: { entityRef } } }))).items;
    const matching = marks.filter(b => b.sha.startsWith(sha));
    if (matching.length !== 1) {
      throw new CliError(
        matching.length === 0
          ? `no commit of ${entityRef} starting with ${sha} is marked bad (\`khal commit list-bad\` lists the marks)`
          : `${sha} names ${matching.length} marked commits (${matching.map(b => shortRef(b.sha)).join(', ')}): give more of the SHA`,
        matching.length === 0 ? ExitCode.NotFound : ExitCode.Usage,
      );
    }
    const unmarked = await answer(
      client.api.POST('/bad-commits/{id}/unmark', {
        params: { path: { id: matching[0].id } },
        body: { reason: opts.reason },
      }),
    );
    if (io.json) {
      printJson(io, unmarked);
      return;
    }
    io.term.out(
      `Took back the bad mark of ${entityRef} ${shortRef(unmarked.sha)} ("${unmarked.reason}", marked by ${unmarked.markedBy}): it may be promoted again.`,
    );
  });

  withPortalOptions(
    commit
      .command('list-bad')
      .description('the commits of the app marked bad')
      .option('--entity <ref>', 'the app (default: from khal-app.json)'),
  ).action(async (opts: BadOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const entityRef = resolveEntityRef(opts.entity, io.cwd);
    const list = await answer(
      clientFor(opts, io).api.GET('/bad-commits', {
        params: { query: { entityRef } },
      }),
    );
    if (io.json) {
      printJson(io, list);
      return;
    }
    if (list.items.length === 0) io.term.out(`No commit of ${entityRef} is marked bad.`);
    for (const b of list.items) io.term.out(badCommitLine(b));
  });
}
