import { createHash } from 'node:crypto';
import { Command } from 'commander';
import {
  MIRROR_EVIDENCE_KIND,
  envContractText,
  remoteCredentials,
  validateManifest,
  type MirrorEvidenceData,
} from '@khal/plugin-ladder-common';
import { answer } from '../client/portalClient';
import { CliError, ExitCode } from '../exitCodes';
import { resolveTarget } from '../ladder/targetRung';
import { whomToAsk, type WhomToAsk } from '../output/whomToAsk';
import { resolveEntityRef } from '../workspace/appManifest';
import { git, resolveRef } from '../workspace/gitRef';
import {
  clientFor,
  fetchEntityLadder,
  ioFor,
  PortalOptions,
  printJson,
  shortRef,
  withPortalOptions,
} from './common';

interface MirrorOptions extends PortalOptions {
  target: string;
  upstream: string;
  mirror: string;
  host?: string;
  entity?: string;
  ref?: string;
}

/** The stable `--json` shape of `khal evidence mirror` (documented in the README). */
export interface MirrorJson {
  entityRef: string;
  rung: { id: string; title: string };
  ref: string;
  inSync: boolean;
  data: MirrorEvidenceData;
  evidence: { id: string; redactions: number };
  whomToAsk: WhomToAsk | null;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A remote's URL, refused (printed redacted, nothing recorded) when it carries credentials. */
export function remoteUrl(name: string, cwd: string): string {
  const url = git(['remote', 'get-url', '--', name], cwd);
  if (!url) {
    throw new CliError(`no git remote "${name}" in ${cwd}`, ExitCode.Usage, [
      `add it: git remote add ${name} <url>, or name another with --${name === 'origin' ? 'upstream' : 'mirror'} <remote>`,
    ]);
  }
  const { found, redacted } = remoteCredentials(url);
  if (found) {
    throw new CliError(
      `the "${name}" remote carries credentials in its URL (${redacted}); nothing was recorded`,
      ExitCode.Usage,
      [
        `remove them: git remote set-url ${name} <the URL without user:password@ or ?token=>`,
        'and let git authenticate with a credential helper or an SSH key, so no secret sits in .git/config or in evidence',
      ],
    );
  }
  return url;
}

/** The commit a remote's branch (or HEAD) points at, read with `git ls-remote`. */
function remoteSha(name: string, cwd: string): string {
  const branch = git(['symbolic-ref', '--quiet', '--short', 'HEAD'], cwd);
  const wanted = branch ? `refs/heads/${branch}` : 'HEAD';
  const out = git(['ls-remote', '--', name, wanted], cwd);
  const sha = out?.split(/\s+/)[0];
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) {
    throw new CliError(
      `cannot read ${wanted} of the "${name}" remote (git ls-remote ${name} ${wanted} found nothing)`,
      ExitCode.Failed,
      [`check the remote is reachable and has ${branch ? `branch ${branch}` : 'a HEAD'}: git ls-remote ${name}`],
    );
  }
  return sha;
}

/** The manifest and env-contract digests of khal-app.json at `ref`, as the portal computes them. */
export function manifestDigests(ref: string, cwd: string): { manifestDigest: string; envContractDigest: string } {
  const text = git(['show', `${ref}:khal-app.json`], cwd);
  if (text === undefined) {
    throw new CliError(`khal-app.json is not in commit ${ref}`, ExitCode.Usage, [
      'commit khal-app.json (the mirror carries the manifest of the commit it runs)',
    ]);
  }
  const result = validateManifest(text);
  if (!result.ok) {
    throw new CliError(`khal-app.json at ${shortRef(ref)} is invalid`, ExitCode.Usage, [
      'fix it and commit: khal manifest validate',
    ]);
  }
  return { manifestDigest: sha256(text), envContractDigest: sha256(envContractText(result.manifest)) };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return /^[^@/\s]+@([^:/\s]+):/.exec(url)?.[1];
  }
}

export function registerMirror(evidence: Command): void {
  withPortalOptions(
    evidence
      .command('mirror')
      .description(
        'record mirror proof for a mirrored rung: upstream and mirror remotes and SHAs from git (refusing URLs with credentials), the host alias, and the manifest and env-contract digests',
      )
      .requiredOption('--target <rung>', 'the mirrored rung (id or alias)')
      .option('--upstream <remote>', 'the authoritative remote', 'origin')
      .option('--mirror <remote>', 'the mirror remote', 'mirror')
      .option('--host <alias>', 'the mirror host alias (default: the rung’s host, else the mirror URL’s host)')
      .option('--ref <ref>', 'the commit (default: git rev-parse HEAD)')
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)'),
  ).action(async (opts: MirrorOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const entityRef = resolveEntityRef(opts.entity, io.cwd);
    const ref = resolveRef({ ref: opts.ref }, io.cwd);
    // Credentials are refused before anything is read from or sent to the portal.
    const upstreamUrl = remoteUrl(opts.upstream, io.cwd);
    const mirrorUrl = remoteUrl(opts.mirror, io.cwd);
    const digests = manifestDigests(ref, io.cwd);
    const client = clientFor(opts, io);
    const { rung } = resolveTarget(await fetchEntityLadder(client, entityRef), opts.target);
    const upstream = { remote: opts.upstream, url: upstreamUrl, sha: remoteSha(opts.upstream, io.cwd) };
    const mirror = { remote: opts.mirror, url: mirrorUrl, sha: remoteSha(opts.mirror, io.cwd) };
    const inSync = upstream.sha === ref && mirror.sha === ref;
    const data: MirrorEvidenceData = {
      exitCode: inSync ? 0 : 1,
      upstream,
      mirror,
      hostAlias: opts.host ?? rung.host ?? hostOf(mirrorUrl) ?? opts.mirror,
      ...digests,
    };
    const lines = [
      `upstream ${upstream.remote} ${upstream.url} at ${upstream.sha}`,
      `mirror ${mirror.remote} ${mirror.url} at ${mirror.sha}`,
      `host ${data.hostAlias}`,
      `manifest sha256 ${data.manifestDigest}`,
      `env contract sha256 ${data.envContractDigest}`,
    ];
    const saved = await answer(
      client.api.POST('/evidence', {
        body: {
          entityRef,
          rung: rung.id,
          ref,
          kind: MIRROR_EVIDENCE_KIND,
          summary: `${data.hostAlias} ${inSync ? 'mirrors' : 'is out of sync with'} ${shortRef(ref)}`,
          content: lines.join('\n'),
          data,
        },
      }),
    );
    const help = inSync ? null : whomToAsk(rung, { target: opts.target });
    const json: MirrorJson = {
      entityRef,
      rung: { id: rung.id, title: rung.title },
      ref,
      inSync,
      data,
      evidence: { id: saved.id, redactions: saved.redactions ?? 0 },
      whomToAsk: help,
    };
    if (io.json) printJson(io, json);
    else {
      for (const line of lines) io.term.out(line);
      io.term.out(`Recorded mirror evidence ${saved.id} for ${rung.title} at ${shortRef(ref)}.`);
    }
    if (!inSync) {
      const behind = [upstream, mirror].filter(r => r.sha !== ref).map(r => `${r.remote} is at ${shortRef(r.sha)}`);
      io.term.err(`khal: the mirror is not at ${shortRef(ref)} (${behind.join('; ')}): recorded, but it proves nothing`);
      io.term.err(`  push ${shortRef(ref)} to ${upstream.remote} and let ${mirror.remote} sync, then run this again`);
      for (const line of help?.lines ?? []) io.term.err(line);
      process.exitCode = ExitCode.Failed;
    }
  });
}
