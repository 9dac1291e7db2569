import { toolsOf } from '@khal/plugin-ladder-common';
import { findTool } from './findTool';
import { installHint } from './toolHints';

/** A tool a command needs that is not on the PATH it would run with. */
export interface MissingTool {
  tool: string;
  install: string;
}

/** The tools of `command` not found on `env.PATH`; `known` are the plan's tools, when it lists them. */
export function missingTools(
  command: string,
  env: NodeJS.ProcessEnv,
  known?: string[],
  workspace?: string,
): MissingTool[] {
  const tools = known ?? toolsOf(command);
  return tools
    .filter(tool => !findTool(tool, env.PATH))
    .map(tool => ({
      tool,
      install: installHint(tool).replace(
        /<workspace>/g,
        workspace ?? '<khal-ladder checkout>',
      ),
    }));
}
