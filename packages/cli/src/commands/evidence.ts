import fs from 'node:fs';
import { Command } from 'commander';
import {
  EVIDENCE_MAX_BYTES,
  settingsForRung,
} from '@khal/plugin-ladder-common';
import { answer } from '../client/portalClient';
import { CliError, ExitCode } from '../exitCodes';
import { resolveTarget } from '../ladder/targetRung';
import { readAppManifest, resolveEntityRef } from '../workspace/appManifest';
import { resolveRef } from '../workspace/gitRef';
import {
  clientFor,
  fetchEntityLadder,
  ioFor,
  PortalOptions,
  printJson,
  shortRef,
  withPortalOptions,
} from './common';
import { registerRollbackDrill } from './rollbackDrill';

interface PushOptions extends PortalOptions {
  kind: string;
  target: string;
  file?: string;
  url?: string;
  summary?: string;
  data?: string;
  ref?: string;
  entity?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function readContent(source: string): Promise<string> | string {
  if (source === '-') return readStdin();
  try {
    return fs.readFileSync(source, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${source} (${
        (error as NodeJS.ErrnoException).code ?? 'error'
      })`,
      ExitCode.Usage,
    );
  }
}

function parseData(
  text: string | undefined,
): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value))
      return value;
  } catch {
    // fall through
  }
  throw new CliError(
    '--data must be a JSON object, e.g. \'{"passed": 12}\'',
    ExitCode.Usage,
  );
}

export function registerEvidence(program: Command): void {
  const evidence = program
    .command('evidence')
    .description('record proof for an app, rung and ref');
  registerRollbackDrill(evidence);
  withPortalOptions(
    evidence
      .command('push')
      .description(
        'push evidence: a file, stdin ("-"), a URL, or for env-contract the setting names supplied in this shell',
      )
      .argument('[source]', '"-" to read the content from stdin')
      .requiredOption(
        '--kind <kind>',
        'evidence kind, e.g. build-output, typecheck, logs, env-contract',
      )
      .requiredOption('--target <rung>', 'rung id or alias the evidence is for')
      .option('--file <path>', 'file with the content ("-" for stdin)')
      .option('--url <url>', 'where the proof lives, instead of content')
      .option('--summary <text>', 'one line saying what this shows')
      .option('--data <json>', 'structured facts, a JSON object')
      .option(
        '--ref <ref>',
        'commit, tag or image tag (default: git rev-parse HEAD)',
      )
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)'),
  ).action(
    async (source: string | undefined, opts: PushOptions, cmd: Command) => {
      const io = ioFor(cmd, opts);
      if (source !== undefined && source !== '-') {
        throw new CliError(
          `unexpected argument "${source}" — use --file ${source}, or "-" for stdin`,
          ExitCode.Usage,
        );
      }
      if (source && opts.file)
        throw new CliError(
          'give either "-" or --file, not both',
          ExitCode.Usage,
        );
      const entityRef = resolveEntityRef(opts.entity, io.cwd);
      const ref = resolveRef({ ref: opts.ref }, io.cwd);
      let data = parseData(opts.data);
      let summary = opts.summary;
      const from = opts.file ?? source;
      let content = from !== undefined ? await readContent(from) : undefined;

      const client = clientFor(opts, io);
      const { rung } = resolveTarget(
        await fetchEntityLadder(client, entityRef),
        opts.target,
      );

      if (content === undefined && !opts.url) {
        if (opts.kind !== 'env-contract') {
          throw new CliError(
            'give the content: --file <path>, "-" for stdin, or --url <url>',
            ExitCode.Usage,
          );
        }
        // Attest which setting NAMES this shell supplies for the rung; values never leave it.
        const reading = readAppManifest(io.cwd);
        if (!reading.found || !reading.ok) {
          throw new CliError(
            'env-contract evidence needs a valid khal-app.json here (`khal manifest validate`)',
            ExitCode.Usage,
          );
        }
        const settings = settingsForRung(reading.manifest, [
          rung.id,
          ...rung.aliases,
        ]);
        const supplied = settings
          .filter(s => process.env[s.name] !== undefined)
          .map(s => s.name);
        const missing = settings
          .filter(s => process.env[s.name] === undefined)
          .map(s => s.name);
        content =
          settings
            .map(
              s =>
                `${s.name}: ${
                  supplied.includes(s.name) ? 'supplied' : 'not supplied'
                }`,
            )
            .join('\n') || 'no settings declared';
        data = { ...data, supplied, missing };
        summary ??= `${supplied.length} of ${settings.length} settings supplied locally for ${rung.id}`;
      }
      if (
        content !== undefined &&
        Buffer.byteLength(content, 'utf8') > EVIDENCE_MAX_BYTES
      ) {
        throw new CliError(
          `the content is ${Buffer.byteLength(
            content,
            'utf8',
          )} bytes; evidence is at most ${EVIDENCE_MAX_BYTES} — push the tail, or a --url`,
          ExitCode.Usage,
        );
      }
      summary ??= `${opts.kind} for ${rung.id} at ${shortRef(ref)}`;
      const saved = await answer(
        client.api.POST('/evidence', {
          body: {
            entityRef,
            rung: rung.id,
            ref,
            kind: opts.kind,
            summary,
            ...(content !== undefined ? { content } : {}),
            ...(opts.url ? { url: opts.url } : {}),
            ...(data ? { data } : {}),
          },
        }),
      );
      if (io.json) {
        printJson(io, saved);
      } else {
        io.term.out(
          `Recorded ${saved.kind} evidence ${saved.id} for ${
            saved.entityRef
          } ${shortRef(saved.ref)} on ${saved.rungId} (${
            saved.sizeBytes
          } bytes${
            saved.redactions ? `, ${saved.redactions} redaction(s)` : ''
          }).`,
        );
      }
    },
  );
}
