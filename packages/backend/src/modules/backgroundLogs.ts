import { AsyncLocalStorage } from 'node:async_hooks';
import {
  HttpAuthService,
  LoggerService,
  RootLoggerService,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { createConfigSecretEnumerator } from '@backstage/backend-defaults/rootConfig';
import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import type { NextFunction, Request, Response } from 'express';

/*
 * The ladder reads the clusters (through the kubernetes backend's proxy) and the catalog in the
 * background: a snapshot refresh of every cluster every 2 s, the scheduled re-check every 15 s.
 * Served like any request, each read wrote an access log line and two audit lines at info, and
 * for a cluster that is down the proxy's error with its stack: about 13 lines a second at idle.
 * The ladder says itself, once, when a cluster stops and starts answering (WorkloadSnapshots), so
 * what the backend logs while serving these reads is written at debug; so is the plugins' long
 * polling of the event bus. A person's requests, and every other plugin's, log as before.
 */

/** Whose requests to a plugin are the backend's own background traffic. */
export type BackgroundSubjects = (subject: string) => boolean;

/** The ladder's reads (cluster snapshots and drift checks through the proxy, catalog reads). */
export const LADDER_READS: BackgroundSubjects = subject =>
  subject === 'plugin:ladder';
/** Plugins polling the event bus (each long poll ends in a request line about once a minute). */
export const PLUGINS: BackgroundSubjects = subject =>
  subject.startsWith('plugin:');

const backgroundRequest = new AsyncLocalStorage<{ subject: string }>();

/** The service principal of the background request being served here, if any. */
export function currentBackgroundRequest(): { subject: string } | undefined {
  return backgroundRequest.getStore();
}

/**
 * Express middleware: serves the rest of a request from a background service principal (its
 * token verified, not a header anyone could send) inside a context the root logger recognises.
 */
export function markBackgroundRequests(
  httpAuth: HttpAuthService,
  isBackground: BackgroundSubjects = LADDER_READS,
) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    let subject: string | undefined;
    try {
      const credentials = await httpAuth.credentials(req, {
        allow: ['service'],
      });
      subject = credentials.principal.subject;
    } catch {
      // A person, or no token: served and logged as before.
    }
    if (subject && isBackground(subject)) {
      backgroundRequest.run({ subject }, next);
    } else {
      next();
    }
  };
}

/** A logger whose info, warn and error lines go out at debug while a background request is served. */
export class BackgroundQuietLogger implements RootLoggerService {
  constructor(private readonly inner: LoggerService) {}

  error(message: string, meta?: Error | object): void {
    this.write('error', message, meta);
  }
  warn(message: string, meta?: Error | object): void {
    this.write('warn', message, meta);
  }
  info(message: string, meta?: Error | object): void {
    this.write('info', message, meta);
  }
  debug(message: string, meta?: Error | object): void {
    this.inner.debug(message, meta);
  }
  child(meta: object): LoggerService {
    return new BackgroundQuietLogger(this.inner.child(meta));
  }

  private write(
    level: 'error' | 'warn' | 'info',
    message: string,
    meta?: Error | object,
  ) {
    if (currentBackgroundRequest()) this.inner.debug(message, meta);
    else this.inner[level](message, meta);
  }
}

/**
 * The root logger of `@backstage/backend-defaults` (same level, meta, format, secret redaction
 * and `backend.logger.overrides`), wrapped in {@link BackgroundQuietLogger}.
 */
export const backgroundQuietRootLoggerServiceFactory = createServiceFactory({
  service: coreServices.rootLogger,
  deps: { config: coreServices.rootConfig },
  async factory({ config }) {
    const loggerConfig = config.getOptionalConfig('backend.logger');
    const logger = WinstonLogger.create({
      meta: {
        service: 'backstage',
        ...loggerConfig?.getOptionalConfig('meta')?.get<object>(),
      },
      level:
        process.env.LOG_LEVEL ||
        loggerConfig?.getOptionalString('level') ||
        'info',
      // Format (JSON in production, colours otherwise) and transport (the console): the defaults.
    });
    const secrets = await createConfigSecretEnumerator({ logger });
    logger.addRedactions(secrets(config));
    config.subscribe?.(() => logger.addRedactions(secrets(config)));
    const overrides = () =>
      (loggerConfig?.getOptionalConfigArray('overrides') ?? []).map(o => ({
        matchers: o.getConfig('matchers').get<Record<string, any>>(),
        level: o.getString('level'),
      }));
    logger.setLevelOverrides(overrides());
    return new BackgroundQuietLogger(logger);
  },
});

/** Marks the background requests a plugin serves. */
function markerModule(pluginId: string, isBackground: BackgroundSubjects) {
  return createBackendModule({
    pluginId,
    moduleId: 'background-request-logs',
    register(reg) {
      reg.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        async init({ httpRouter, httpAuth }) {
          httpRouter.use(markBackgroundRequests(httpAuth, isBackground));
        },
      });
    },
  });
}

export const backgroundRequestLogFeatures = [
  backgroundQuietRootLoggerServiceFactory,
  markerModule('catalog', LADDER_READS),
  markerModule('kubernetes', LADDER_READS),
  markerModule('events', PLUGINS),
];
