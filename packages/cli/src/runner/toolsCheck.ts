import type { DeployPlan } from '../client/contract';
import { missingTools } from './toolCheck';
import { locateRunner, runnerEnvironment } from './runnerEnvironment';

/** What `khal doctor` says about the tools a rung's commands need. */
export interface ToolsVerdict {
  status: 'pass' | 'fail' | 'skip';
  detail: string;
  howToFix?: string;
}

/**
 * Checks the tools the plan lists for each of the rung's commands on the PATH the commands run
 * with (the CLI's bin directory first, as `khal deploy` runs them).
 */
export function toolsVerdict(
  plan: DeployPlan,
  env: NodeJS.ProcessEnv = process.env,
): ToolsVerdict {
  if (!plan.tools)
    return {
      status: 'skip',
      detail: 'the portal lists no tools for the rung commands',
    };
  const where = locateRunner();
  const runEnv = runnerEnvironment(env, where).env;
  const usedBy = new Map<string, string[]>();
  for (const [name, tools] of Object.entries(plan.tools))
    for (const tool of tools)
      usedBy.set(tool, [...(usedBy.get(tool) ?? []), name]);
  if (usedBy.size === 0)
    return { status: 'pass', detail: 'the rung configures no commands' };
  const missing = missingTools('', runEnv, [...usedBy.keys()], where.workspace);
  if (missing.length === 0)
    return { status: 'pass', detail: `found ${[...usedBy.keys()].join(', ')}` };
  return {
    status: 'fail',
    detail: `missing ${missing
      .map(m => `${m.tool} (for ${usedBy.get(m.tool)!.join(', ')})`)
      .join(', ')}`,
    howToFix: missing.map(m => `install ${m.tool}: ${m.install}`).join('; '),
  };
}
