import { Command } from 'commander';
import { locateRunner, runnerEnvironment } from '../runner/runnerEnvironment';
import { registerEnvLifecycle } from './envLifecycle';

/** A value quoted for a POSIX shell. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The variables rung commands run with, as `export` lines for `eval "$(khal env)"`. */
export function envExports(base: NodeJS.ProcessEnv): string[] {
  const { env } = runnerEnvironment(base, locateRunner());
  return ['PATH', 'PM2_HOME', 'KUBECONFIG', 'KHAL_DATA_DIR']
    .filter(name => env[name] !== undefined && env[name] !== base[name])
    .map(name => `export ${name}=${shellQuote(env[name]!)}`);
}

export function registerEnv(program: Command): void {
  const env = program
    .command('env')
    .description(
      'environments of rungs: `khal env` (or `khal env shell`) prints the shell exports rung commands run with; `khal env up|status|validate|down|reset --target <rung>` runs the rung\'s lifecycle',
    );
  // `eval "$(khal env)"` keeps working: `shell` is the default subcommand.
  env
    .command('shell', { isDefault: true })
    .description(
      'print the shell exports rung commands run with (pm2 on PATH, PM2_HOME, KUBECONFIG): eval "$(khal env)" lets you run the commands the portal shows by hand',
    )
    .action(() => {
      for (const line of envExports(process.env))
        process.stdout.write(`${line}\n`);
    });
  registerEnvLifecycle(env);
}
