import type { SourceResolution } from '../client/contract';
import { answer, type PortalClient } from '../client/portalClient';
import { CommandIo, shortRef } from '../commands/common';
import { CliError, ExitCode } from '../exitCodes';

/** A URL with `user:password@` or a token before the host. */
const CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i;

/**
 * Asks the portal which entity a repository URL is registered as, and which commit a branch,
 * tag or SHA names there now (GET /sources): the catalog knows entities by their source
 * annotations, so nothing is guessed from names here. The manifest must be valid at that commit.
 */
export async function resolveSource(
  client: PortalClient,
  io: CommandIo,
  source: { repoUrl: string; branch?: string; ref?: string; entity?: string },
): Promise<SourceResolution> {
  if (CREDENTIALS.test(source.repoUrl)) {
    // Query strings end up in access logs: a token in the URL is refused before it is sent.
    throw new CliError(
      `the repository URL carries credentials; the portal never needs them — pass ${source.repoUrl.replace(
        CREDENTIALS,
        '$1',
      )} (and rotate the token if it was one)`,
      ExitCode.Usage,
    );
  }
  const ref = source.ref ?? source.branch;
  if (!ref) {
    throw new CliError(
      'a repository URL needs --branch <branch> (or --ref <commit or tag>)',
      ExitCode.Usage,
    );
  }
  const resolution = await answer(
    client.api.GET('/sources', {
      params: {
        query: {
          repoUrl: source.repoUrl,
          ref,
          ...(source.entity ? { entityRef: source.entity } : {}),
        },
      },
    }),
  );
  const { manifest } = resolution;
  if (manifest.status !== 'valid') {
    throw new CliError(
      `khal-app.json of ${resolution.entityRef} at ${shortRef(
        resolution.commit,
      )} (${ref}) cannot be used: ${manifest.reason ?? manifest.status}`,
      ExitCode.Failed,
      [
        ...manifest.problems.map(
          p => `  - ${p.path}: ${p.message}${p.fix ? ` — ${p.fix}` : ''}`,
        ),
        ...(manifest.howToFix ? [`  ${manifest.howToFix}`] : []),
      ],
    );
  }
  if (!io.json) {
    io.term.err(
      io.term.paint(
        'dim',
        `Resolved ${resolution.repoUrl} ${ref} → ${
          resolution.entityRef
        } at ${shortRef(resolution.commit)} (${
          resolution.matchedBy
        }; khal-app.json ${manifest.name} ${manifest.digest?.slice(0, 12)}…)`,
      ),
    );
  }
  return resolution;
}
