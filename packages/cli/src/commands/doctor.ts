import { Command } from 'commander';
import { MANIFEST_FILENAME } from '@khal/plugin-ladder-common';
import type {
  DeployPlan,
  EntityLadderResponse,
  RungSummary,
  RungView,
} from '../client/contract';
import {
  answer,
  PortalClient,
  UnresolvedFactsError,
} from '../client/portalClient';
import { resolveSession, Session } from '../config/session';
import { CliError, ExitCode } from '../exitCodes';
import { findRung, describeRungs } from '../ladder/targetRung';
import { formatTable } from '../output/table';
import {
  readAppManifest,
  resolveEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '../workspace/appManifest';
import { localCommit } from '../workspace/gitRef';
import { toolsVerdict } from '../runner/toolsCheck';
import {
  clientOf,
  CommandIo,
  fetchEntityLadder,
  ioFor,
  PortalOptions,
  printJson,
  withPortalOptions,
} from './common';

export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One line of `khal doctor`; also the element of its `--json` `checks` array. */
export interface DoctorCheck {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  howToFix?: string;
}

interface DoctorOptions extends PortalOptions {
  target: string;
  entity?: string;
  ref?: string;
}

const MIN_NODE_MAJOR = 22;

function check(
  id: string,
  title: string,
  status: CheckStatus,
  detail: string,
  howToFix?: string,
): DoctorCheck {
  return howToFix
    ? { id, title, status, detail, howToFix }
    : { id, title, status, detail };
}

/** The error without its advice: doctor prints its own "fix" for each check. */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split(' — ')[0];
}

/** Runs every check it can; a check that depends on a failed one is skipped, saying why. */
export async function runDoctor(
  opts: DoctorOptions,
  io: CommandIo,
): Promise<{ entityRef: string | null; checks: DoctorCheck[] }> {
  const checks: DoctorCheck[] = [];
  const skip = (id: string, title: string, why: string) =>
    checks.push(check(id, title, 'skip', why));

  const major = Number(process.versions.node.split('.')[0]);
  checks.push(
    major >= MIN_NODE_MAJOR
      ? check('node', 'Node version', 'pass', `v${process.versions.node}`)
      : check(
          'node',
          'Node version',
          'fail',
          `v${process.versions.node} is older than ${MIN_NODE_MAJOR}`,
          `install Node ${MIN_NODE_MAJOR} or 24 (see .nvmrc)`,
        ),
  );

  const reading = readAppManifest(io.cwd);
  if (!reading.found) {
    checks.push(
      check(
        'manifest',
        'Manifest valid',
        'fail',
        `no ${MANIFEST_FILENAME} in ${io.cwd}`,
        `run khal from the app's repository root, or create ${MANIFEST_FILENAME} (the portal's templates write one)`,
      ),
    );
  } else if (!reading.ok) {
    const first = reading.problems[0];
    checks.push(
      check(
        'manifest',
        'Manifest valid',
        'fail',
        `${reading.problems.length} problem(s); first: ${first.path}: ${first.message}`,
        `${first.fix} — \`khal manifest validate\` lists them all`,
      ),
    );
  } else {
    checks.push(
      check(
        'manifest',
        'Manifest valid',
        'pass',
        `${reading.file} (${reading.manifest.name})`,
      ),
    );
  }

  let entityRef: string | null = null;
  try {
    entityRef = opts.entity
      ? stringifyEntityRef(parseEntityRef(opts.entity))
      : resolveEntityRef(undefined, io.cwd);
  } catch {
    entityRef = null;
  }

  let session: Session | undefined;
  try {
    session = resolveSession({ portal: opts.portal }, process.env, io.term.err);
  } catch (error) {
    checks.push(
      check(
        'portal',
        'Portal reachable',
        'fail',
        errorText(error),
        'run `khal login --portal <url>` or set KHAL_PORTAL',
      ),
    );
  }

  let client: PortalClient | undefined;
  if (session) {
    const portal = session.portal;
    try {
      // Any HTTP answer proves the portal is up; the token is checked next.
      await answer(
        clientOf({ portal }, io, { anonymous: true }).api.GET('/ladders'),
      ).catch(error => {
        const answered =
          error instanceof CliError && error.exitCode !== ExitCode.Unreachable;
        if (!answered) throw error;
      });
      checks.push(check('portal', 'Portal reachable', 'pass', portal));
    } catch (error) {
      checks.push(
        check(
          'portal',
          'Portal reachable',
          'fail',
          errorText(error),
          `start the portal (npm start) or point --portal / KHAL_PORTAL at it`,
        ),
      );
    }
    if (checks[checks.length - 1].status === 'pass') {
      if (!session.token) {
        checks.push(
          check(
            'token',
            'Token valid',
            'fail',
            `not logged in to ${portal}`,
            `khal login --portal ${portal} (--demo-user alice on the demo portal)`,
          ),
        );
      } else {
        const candidate = clientOf(session, io);
        try {
          await answer(candidate.api.GET('/ladders'));
          checks.push(
            check(
              'token',
              'Token valid',
              'pass',
              `accepted (from ${session.tokenSource})`,
            ),
          );
          client = candidate;
        } catch (error) {
          checks.push(
            check(
              'token',
              'Token valid',
              'fail',
              errorText(error),
              `khal login --portal ${portal} again (tokens expire)`,
            ),
          );
        }
      }
    } else {
      skip('token', 'Token valid', 'the portal is not reachable');
    }
  } else {
    skip('token', 'Token valid', 'no portal');
  }

  let entity: EntityLadderResponse | undefined;
  if (!entityRef) {
    checks.push(
      check(
        'entity',
        'Entity in catalog',
        'fail',
        'no entity: no valid manifest name and no --entity',
        'pass --entity component:default/<name> or fix the manifest',
      ),
    );
  } else if (!client) {
    skip('entity', 'Entity in catalog', 'not signed in to a reachable portal');
  } else {
    try {
      entity = await fetchEntityLadder(client, entityRef);
      checks.push(check('entity', 'Entity in catalog', 'pass', entityRef));
    } catch (error) {
      const notFound =
        error instanceof CliError && error.exitCode === ExitCode.NotFound;
      checks.push(
        check(
          'entity',
          'Entity in catalog',
          'fail',
          errorText(error),
          notFound
            ? `register the app in the catalog (catalog-info.yaml) and enroll it on a ladder with the khal.ai/ladder annotation`
            : 'see the error above',
        ),
      );
    }
  }

  let rung: RungSummary | undefined;
  let view: RungView | undefined;
  if (!entity) {
    skip('rung', 'Ladder and rung resolved', 'the entity was not found');
  } else {
    rung = findRung(entity.ladder, opts.target);
    view = rung && entity.rungs.find(v => v.rung.id === rung!.id);
    checks.push(
      rung
        ? check(
            'rung',
            'Ladder and rung resolved',
            'pass',
            `${entity.ladder.id} → ${rung.id} (${rung.title}, ${rung.runtime})`,
          )
        : check(
            'rung',
            'Ladder and rung resolved',
            'fail',
            `no rung "${opts.target}" on ladder ${entity.ladder.id}`,
            `use one of: ${describeRungs(entity.ladder)}`,
          ),
    );
  }

  let plan: DeployPlan | undefined;
  if (!client || !entityRef || !rung) {
    skip('settings', 'Settings supplied', 'the rung was not resolved');
  } else {
    const settings = await settingsCheck(
      client,
      entityRef,
      rung,
      opts.ref ?? localCommit(io.cwd),
    );
    plan = settings.plan;
    checks.push(settings.check);
  }

  if (!plan) {
    skip(
      'tools',
      'Tools installed',
      'there is no deploy plan to read them from',
    );
  } else {
    const tools = toolsVerdict(plan);
    checks.push(
      check(
        'tools',
        'Tools installed',
        tools.status,
        tools.detail,
        tools.howToFix,
      ),
    );
  }

  if (!rung) {
    skip('cluster', 'Cluster reachable', 'the rung was not resolved');
  } else if (!rung.kubernetes) {
    skip(
      'cluster',
      'Cluster reachable',
      `${rung.id} is not a Kubernetes rung (${rung.runtime})`,
    );
  } else if (!view?.cluster) {
    checks.push(
      check(
        'cluster',
        'Cluster reachable',
        'fail',
        `the portal reported no state for cluster ${rung.kubernetes.cluster}`,
        `check the kubernetes config of the portal for cluster "${rung.kubernetes.cluster}"`,
      ),
    );
  } else if (!view.cluster.reachable) {
    checks.push(
      check(
        'cluster',
        'Cluster reachable',
        'fail',
        `${view.cluster.cluster} unreachable${
          view.cluster.reason ? `: ${view.cluster.reason}` : ''
        }`,
        `start the cluster (or the kube simulator on the demo) and check kubernetes.clusterLocatorMethods in app-config`,
      ),
    );
  } else {
    checks.push(
      check(
        'cluster',
        'Cluster reachable',
        'pass',
        `${view.cluster.cluster}, namespace ${view.cluster.namespace}`,
      ),
    );
  }

  return { entityRef, checks };
}

async function settingsCheck(
  client: PortalClient,
  entityRef: string,
  rung: RungSummary,
  ref: string | undefined,
): Promise<{ check: DoctorCheck; plan?: DeployPlan }> {
  const plan = await fetchPlan(client, entityRef, rung, ref);
  if ('failed' in plan) return { check: plan.failed };
  return { check: settingsOf(plan.plan, rung), plan: plan.plan };
}

async function fetchPlan(
  client: PortalClient,
  entityRef: string,
  rung: RungSummary,
  ref: string | undefined,
): Promise<{ plan: DeployPlan } | { failed: DoctorCheck }> {
  const title = 'Settings supplied';
  let plan: DeployPlan;
  try {
    plan = await answer(
      client.api.GET('/plan', {
        params: { query: { entityRef, target: rung.id, ref } },
      }),
    );
  } catch (error) {
    if (error instanceof UnresolvedFactsError) {
      return {
        failed: check(
          'settings',
          title,
          'fail',
          `the plan cannot be resolved: ${
            error.facts.map(f => f.fact).join(', ') || error.message
          }`,
          error.facts.map(f => f.howToConfigure).join('; ') ||
            'see `khal deploy --dry-run`',
        ),
      };
    }
    return {
      failed: check(
        'settings',
        title,
        'fail',
        errorText(error),
        'see `khal deploy --dry-run` for the full plan',
      ),
    };
  }
  return { plan };
}

function settingsOf(plan: DeployPlan, rung: RungSummary): DoctorCheck {
  const title = 'Settings supplied';
  // Names only: values never leave where they are supplied.
  const missing: string[] = [];
  const unknownButLocal: string[] = [];
  let portalCannotTell = false;
  for (const s of plan.settings) {
    if (!s.required) continue;
    if (s.supplied === false) missing.push(s.name);
    else if (s.supplied === null) {
      // The portal's settings sources cannot tell for this target: this shell is the best witness.
      portalCannotTell = true;
      if (process.env[s.name] === undefined) missing.push(s.name);
      else unknownButLocal.push(s.name);
    }
  }
  const attest = `\`khal evidence push --kind env-contract --target ${rung.id}\` (names only)`;
  if (missing.length) {
    const how =
      rung.kubernetes && !portalCannotTell
        ? `supply them as App Settings of ${rung.id} (the Deployment's env or a referenced Secret/ConfigMap)`
        : `supply them for ${rung.id} (export them in this shell), then attest them: ${attest}`;
    return check(
      'settings',
      title,
      'fail',
      `missing for ${rung.id}: ${missing.join(', ')}`,
      how,
    );
  }
  const required = plan.settings.filter(s => s.required).length;
  return check(
    'settings',
    title,
    'pass',
    `${required} required setting(s) supplied${
      unknownButLocal.length
        ? ` (${unknownButLocal.join(', ')} found in this shell)`
        : ''
    }`,
  );
}

export function printDoctor(io: CommandIo, checks: DoctorCheck[]): void {
  const { paint } = io.term;
  const words: Record<CheckStatus, string> = {
    pass: paint('green', '✔ pass'),
    fail: paint('red', '✘ FAIL'),
    skip: paint('gray', '- skip'),
  };
  const word = (s: CheckStatus) => words[s];
  const rows = checks.map(c => [
    word(c.status),
    c.title,
    c.detail +
      (c.howToFix && c.status === 'fail' ? ` — fix: ${c.howToFix}` : ''),
  ]);
  for (const line of formatTable(undefined, rows)) io.term.out(line);
}

export function registerDoctor(program: Command): void {
  withPortalOptions(
    program
      .command('doctor')
      .description(
        'check everything a deploy to the target needs; one line per check, exit 1 if any fails',
      )
      .requiredOption('--target <rung>', 'rung id or alias')
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)')
      .option('--ref <ref>', 'ref to plan for (default: git rev-parse HEAD)'),
  ).action(async (opts: DoctorOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const { entityRef, checks } = await runDoctor(opts, io);
    const ok = checks.every(c => c.status !== 'fail');
    if (io.json) printJson(io, { ok, target: opts.target, entityRef, checks });
    else printDoctor(io, checks);
    if (!ok) process.exitCode = ExitCode.Failed;
  });
}
