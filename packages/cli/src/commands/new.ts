import { Command } from 'commander';
import type { JsonObject } from '@backstage/types';
import { resolveSession } from '../config/session';
import { CliError, ExitCode } from '../exitCodes';
import { printStepFooter, stepFacts, StepFacts } from '../output/stepFooter';
import { createPortalScaffolder } from '../scaffolder/portalScaffolder';
import { followTask } from '../scaffolder/taskProgress';
import {
  ParameterSteps,
  parseParams,
  templateValues,
} from '../scaffolder/templateValues';
import { parseEntityRef } from '../workspace/appManifest';
import {
  clientOf,
  fetchEntityLadder,
  ioFor,
  PortalOptions,
  printJson,
  withPortalOptions,
} from './common';

interface NewOptions extends PortalOptions {
  template: string;
  param: string[];
}

/** The repository and the entity a template run made, from its output links. */
export function createdBy(output: JsonObject): {
  repoUrl: string | null;
  entityRef: string | null;
} {
  const links = Array.isArray(output.links) ? output.links : [];
  let repoUrl: string | null = null;
  let entityRef: string | null = null;
  for (const link of links) {
    if (!link || typeof link !== 'object' || Array.isArray(link)) continue;
    if (typeof link.entityRef === 'string') entityRef ??= link.entityRef;
    else if (typeof link.url === 'string') repoUrl ??= link.url;
  }
  return { repoUrl, entityRef };
}

export function registerNew(program: Command): void {
  withPortalOptions(
    program
      .command('new')
      .description(
        "create an app from a software template through the portal's scaffolder, following its steps",
      )
      .argument('<name>', 'the app name (the template parameter "name")')
      .option('--template <name>', 'template name or ref', 'khal-node-app')
      .option(
        '--param <key=value>',
        'a template parameter (repeat; arrays and objects as JSON)',
        (value: string, previous: string[]) => [...previous, value],
        [] as string[],
      ),
  ).action(async (name: string, opts: NewOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const session = resolveSession(
      { portal: opts.portal },
      process.env,
      io.term.err,
    );
    const verbose = io.verbose
      ? (line: string) => io.term.err(`khal: ${line}`)
      : undefined;
    const scaffolder = createPortalScaffolder(session, verbose);
    // A failed request: the readable error kept by the fetch, else what the client threw.
    const rethrow = (error: unknown): never => {
      throw scaffolder.take() ?? error;
    };
    const templateRef = opts.template.includes(':')
      ? opts.template
      : `template:default/${opts.template}`;
    const schema = (await scaffolder.client
      .getTemplateParameterSchema(templateRef)
      .catch(rethrow)) as ParameterSteps;
    const values = templateValues(schema, {
      ...parseParams(opts.param),
      name,
    });
    const { taskId } = await scaffolder.client
      .scaffold({ templateRef, values })
      .catch(rethrow);
    const task = await scaffolder.client.getTask(taskId).catch(rethrow);
    const stepNames = new Map(
      task.spec.steps.map(s => [s.id, s.name] as [string, string]),
    );
    if (!io.json)
      io.term.out(
        `Creating ${name} from ${templateRef} (task ${taskId}, ${stepNames.size} steps):`,
      );
    const end = await followTask(scaffolder, taskId, stepNames, line =>
      io.json ? io.term.err(line) : io.term.out(`  ${line}`),
    );
    if (end.status !== 'completed') {
      const failed = end.steps.find(s => s.status === 'failed');
      throw new CliError(
        `task ${taskId} ${end.status}${
          failed ? ` at step "${failed.name}"` : ''
        }: ${end.error ?? 'see its log in the portal under Create → Tasks'}`,
        ExitCode.Failed,
      );
    }
    const { repoUrl, entityRef } = createdBy(end.output);
    let catalogUrl: string | null = null;
    let step: StepFacts | null = null;
    if (entityRef) {
      const e = parseEntityRef(entityRef);
      catalogUrl = `${session.portal}/catalog/${e.namespace}/${e.kind}/${e.name}`;
      const view = await fetchEntityLadder(clientOf(session, io), entityRef);
      const placed = view.rungs.find(r => r.placement);
      const first = placed?.rung.id ?? view.ladder.rungs[0].id;
      step = stepFacts(view, first, {
        recorded: [`scaffolder task ${taskId}`],
      });
      if (repoUrl) {
        step.next = `git clone ${repoUrl} ${name} && cd ${name}, then prove it locally and: khal deploy --target ${first} (the repository's README lists the local proof); or from here: khal install ${repoUrl} --branch main --target ${first}`;
      }
    }
    if (io.json) {
      printJson(io, {
        taskId,
        templateRef,
        status: end.status,
        steps: end.steps,
        repoUrl,
        entityRef,
        catalogUrl,
        output: end.output,
        step,
      });
      return;
    }
    io.term.out('');
    io.term.out(io.term.paint('green', `Created ${name}.`));
    io.term.out(`Repository: ${repoUrl ?? '(the template names none)'}`);
    io.term.out(
      `Catalog:    ${catalogUrl ?? '(the template registered no entity)'}`,
    );
    if (step) printStepFooter(io, step);
  });
}
