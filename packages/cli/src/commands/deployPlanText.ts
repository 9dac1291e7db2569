import type { DeployPlan } from '../client/contract';
import { formatFields } from '../output/table';

/** The order follow-up commands are listed in; others the rung configures come after. */
const FOLLOW_UPS = ['logs', 'status', 'open', 'rollback', 'evidence'];

/** The plan as people read it; also the content of the dry-run evidence. */
export function planLines(plan: DeployPlan): string[] {
  const settings = plan.settings.length
    ? plan.settings.map(s => {
        const flags = [
          s.required ? 'required' : 'optional',
          ...(s.secret ? ['secret'] : []),
        ].join(', ');
        let supplied = s.supplied ? 'supplied' : 'NOT supplied';
        if (s.supplied === null) supplied = 'supplied: unknown';
        return `${s.name} (${flags}) — ${supplied}`;
      })
    : ['none declared'];
  const lines = formatFields([
    [
      'Target',
      `${plan.target} → ${plan.rung.title} (${plan.rung.id}, rung ${
        plan.rung.index + 1
      } of ladder ${plan.ladderId})`,
    ],
    [
      'App',
      `${plan.entityRef} — manifest ${plan.manifest.name} at ${plan.manifest.ref} (${plan.manifest.digest})`,
    ],
    ['Host', plan.host ?? '-'],
    ['Control plane', plan.controlPlane ?? '-'],
    ['Runtime', `${plan.runtime} via ${plan.mechanism}`],
    [
      'Policy',
      `${plan.mutationPolicy.policy}: ${plan.mutationPolicy.description}`,
    ],
    [
      'Allowed now',
      `${plan.mutationPolicy.allowedNow ? 'yes' : 'no'} — ${
        plan.mutationPolicy.reason
      }`,
    ],
    ['Settings', settings[0]],
    ...settings.slice(1).map((s): [string, string] => ['', s]),
  ]);
  const names = [
    ...(plan.commands.deploy ? ['deploy'] : []),
    ...FOLLOW_UPS.filter(n => plan.commands[n]),
    ...Object.keys(plan.commands)
      .filter(n => n !== 'deploy' && !FOLLOW_UPS.includes(n))
      .sort(),
  ];
  lines.push('', 'Commands:');
  if (!names.length) lines.push('  none configured for this rung');
  const width = Math.max(0, ...names.map(n => n.length));
  for (const n of names)
    lines.push(`  ${n.padEnd(width)}  ${plan.commands[n]}`);
  return lines;
}

/** Why a dry-run is not clean, in the order a person fixes them; empty when it is clean. */
export function dryRunProblems(
  plan: DeployPlan,
  exitCode: number | null,
): string[] {
  const required = plan.settings.filter(s => s.required);
  const unknown = required.filter(s => s.supplied === null).map(s => s.name);
  const missing = required.filter(s => s.supplied === false).map(s => s.name);
  return [
    ...(plan.commands.dryRun
      ? []
      : [
          `rung ${plan.rung.id} configures no dry-run command: add commands.dryRun to it under ladder.ladders[].rungs in app-config.yaml (e.g. kubectl apply --dry-run=server)`,
        ]),
    ...(exitCode !== null && exitCode !== 0
      ? [`the dry-run command exited ${exitCode}`]
      : []),
    ...(missing.length
      ? [`required settings not supplied: ${missing.join(', ')}`]
      : []),
    ...(unknown.length
      ? [
          `required settings not known to be supplied (supplied: unknown): ${unknown.join(
            ', ',
          )}`,
        ]
      : []),
  ];
}
