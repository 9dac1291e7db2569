import { Command } from 'commander';
import { answer } from '../client/portalClient';
import type { Changes } from '../client/contract';
import { formatTable } from '../output/table';
import { resolveEntityRef } from '../workspace/appManifest';
import {
  clientFor,
  CommandIo,
  ioFor,
  PortalOptions,
  printJson,
  shortRef,
  withPortalOptions,
} from './common';

interface DiffOptions extends PortalOptions {
  entity?: string;
  from: string;
  to: string;
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** The change view as people read it: commits, manifest diff, settings the target needs. */
export function printChanges(io: CommandIo, changes: Changes): void {
  const { paint } = io.term;
  const side = (s: { rung?: string; ref: string | null }) =>
    `${s.rung ?? '?'} (${s.ref ? shortRef(s.ref) : 'nothing placed'})`;
  io.term.out(
    `${paint('bold', changes.entityRef)}: ${side(changes.from)} → ${side(
      changes.to,
    )}`,
  );
  io.term.out('');

  if (changes.commits === null) {
    io.term.out(
      `${paint('bold', 'Commits:')} ${
        changes.commitsUnavailableReason ?? 'not available'
      }`,
    );
  } else {
    io.term.out(
      paint(
        'bold',
        `Commits (${changes.commits.length}${
          changes.commitsTruncated ? '+, only the newest listed' : ''
        }):`,
      ),
    );
    if (changes.commits.length === 0) io.term.out('  none');
    for (const c of changes.commits) {
      io.term.out(
        `  ${paint('yellow', shortRef(c.sha))}  ${c.subject}  ${paint(
          'dim',
          `${c.author}, ${c.date.slice(0, 10)}`,
        )}`,
      );
    }
  }
  io.term.out('');

  const diff = changes.manifestDiff;
  io.term.out(paint('bold', 'Manifest:'));
  if (changes.manifestUnavailableReason)
    io.term.out(`  ${changes.manifestUnavailableReason}`);
  if (diff) {
    const lines: string[] = [];
    const flags = (s: { required?: boolean; secret?: boolean }) =>
      [
        s.required ? 'required' : 'optional',
        ...(s.secret ? ['secret'] : []),
      ].join(', ');
    diff.settingsAdded.forEach(s =>
      lines.push(paint('green', `+ ${s.name} (${flags(s)})`)),
    );
    diff.settingsRemoved.forEach(s => lines.push(paint('red', `- ${s.name}`)));
    diff.settingsChanged.forEach(s =>
      lines.push(
        `~ ${s.name}: ${s.changes
          .map(c => `${c.field} ${show(c.from)} → ${show(c.to)}`)
          .join('; ')}`,
      ),
    );
    for (const [label, list] of [
      ['runtime', diff.runtimeChanges],
      ['identity', diff.identityChanges],
      ['deploy', diff.deployChanges],
    ] as const) {
      list.forEach(c =>
        lines.push(`~ ${label} ${c.field}: ${show(c.from)} → ${show(c.to)}`),
      );
    }
    if (lines.length === 0) lines.push('no changes');
    lines.forEach(l => io.term.out(`  ${l}`));
  }
  io.term.out('');

  io.term.out(paint('bold', `Settings for ${changes.target} (names only):`));
  if (changes.settingsForTarget.length === 0) {
    io.term.out('  none');
    return;
  }
  const supplied = (s: boolean | null) => {
    if (s === null) return paint('dim', 'unknown');
    return s ? paint('green', 'yes') : paint('red', 'no');
  };
  const rows = changes.settingsForTarget.map(s => [
    s.name,
    s.required ? 'yes' : 'no',
    s.secret ? 'yes' : 'no',
    s.newlyRequired ? paint('yellow', 'new') : '',
    s.required || s.supplied !== null ? supplied(s.supplied) : '-',
  ]);
  const header = [
    'NAME',
    'REQUIRED',
    'SECRET',
    'NEWLY REQUIRED',
    'SUPPLIED',
  ].map(h => paint('bold', h));
  for (const line of formatTable(header, rows)) io.term.out(`  ${line}`);
}

export function registerDiff(program: Command): void {
  withPortalOptions(
    program
      .command('diff')
      .description(
        'what changes between the refs placed on two rungs: commits, manifest diff, settings the target needs',
      )
      .requiredOption(
        '--from <rung>',
        'the rung to compare from (id or alias), e.g. dev',
      )
      .requiredOption(
        '--to <rung>',
        'the rung to compare to (id or alias), e.g. hml',
      )
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)'),
  ).action(async (opts: DiffOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const entityRef = resolveEntityRef(opts.entity, io.cwd);
    const changes = await answer(
      clientFor(opts, io).api.GET('/changes', {
        params: { query: { entityRef, from: opts.from, to: opts.to } },
      }),
    );
    if (io.json) printJson(io, changes);
    else printChanges(io, changes);
  });
}
