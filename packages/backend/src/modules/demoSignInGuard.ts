import { isIP } from 'node:net';
import { LoggerService } from '@backstage/backend-plugin-api';
import { readHttpServerOptions } from '@backstage/backend-defaults/rootHttpRouter';
import { Config } from '@backstage/config';

/*
 * The guest and demo sign-in providers let anyone who reaches the backend sign in without a
 * password — the demo one as any demo user, operators included. They are safe only on a private
 * demo: a development process bound to this machine. This is the one place that decides it; each
 * provider asks before it starts.
 */

/** A sign-in provider with no credentials. */
export type DemoProvider = 'guest' | 'demo';

/** Whether a listen host accepts connections from this machine only. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return isIP(host) === 6 && /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(host);
}

/** Why this backend is not a private demo (empty when it is one). */
export function publicExposure(config: Config, nodeEnv: string | undefined) {
  const reasons: string[] = [];
  if (nodeEnv === 'production') {
    reasons.push('NODE_ENV is "production"');
  }
  const { host } = readHttpServerOptions(
    config.getOptionalConfig('backend'),
  ).listen;
  if (!isLoopbackHost(host)) {
    reasons.push(
      host
        ? `backend.listen binds "${host}", which is reachable from other machines`
        : 'backend.listen binds every network interface (no host given)',
    );
  }
  return reasons;
}

/**
 * Throws, naming what to change, if the provider may not start here; logs a warning if it may
 * only because `khal.demo.allowOnNetwork` says so. Call it at every start of the provider.
 */
export function assertDemoSignInAllowed(
  provider: DemoProvider,
  config: Config,
  nodeEnv: string | undefined,
  logger: LoggerService,
): void {
  const reasons = publicExposure(config, nodeEnv);
  if (reasons.length === 0) return;
  const what = `The ${provider} sign-in provider (auth.providers.${provider}) lets anyone who reaches this backend sign in without a password${
    provider === 'demo' ? ', as any demo user including operators' : ''
  }, and ${reasons.join(' and ')}`;
  if (config.getOptionalBoolean('khal.demo.allowOnNetwork') === true) {
    logger.warn(
      `${what}. Starting anyway because khal.demo.allowOnNetwork is true: use this only for a demo on a network you trust.`,
    );
    return;
  }
  throw new Error(
    `Refusing to start: ${what}. Use a real sign-in provider (see app-config.production.yaml) ` +
      `and remove auth.providers.${provider}; or, for a demo on this machine, set ` +
      `backend.listen.host to 127.0.0.1 and do not run with NODE_ENV=production; or, for a ` +
      `demo on a network you trust, set khal.demo.allowOnNetwork: true.`,
  );
}
