import {
  coreServices,
  createBackendFeatureLoader,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import { assertDemoSignInAllowed } from './demoSignInGuard';

/** The header naming which demo user signs in. */
export const DEMO_USER_HEADER = 'x-khal-demo-user';

/**
 * A sign-in provider for the embedded demo only: it lets a person (or the CLI, or a test)
 * sign in as one of the demo catalog's Users by name, so four-eyes and quorum can be tried.
 * It is enabled only when `auth.providers.demo.users` lists the allowed names, and it issues
 * tokens only for Users that exist in the catalog. It refuses to start where it would not be a
 * private demo (see demoSignInGuard).
 */
export const demoAuthModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'khal-demo-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, rootConfig, logger }) {
        if (!rootConfig.has('auth.providers.demo')) return;
        assertDemoSignInAllowed(
          'demo',
          rootConfig,
          process.env.NODE_ENV,
          logger,
        );
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator: createProxyAuthenticator({
              defaultProfileTransform: async (result: { user: string }) => ({
                profile: { displayName: result.user },
              }),
              initialize({ config }) {
                return {
                  users: new Set(config.getOptionalStringArray('users') ?? []),
                };
              },
              async authenticate({ req }, { users }) {
                const user = req.header(DEMO_USER_HEADER)?.trim() ?? '';
                if (!user) {
                  throw new InputError(
                    `Missing ${DEMO_USER_HEADER} header: name the demo user to sign in as (one of ${[
                      ...users,
                    ].join(', ')})`,
                  );
                }
                if (!users.has(user)) {
                  throw new NotAllowedError(
                    `"${user}" is not a demo user; allowed: ${[...users].join(
                      ', ',
                    )} (auth.providers.demo.users)`,
                  );
                }
                return { result: { user } };
              },
            }),
            async signInResolver({ result }, ctx) {
              return ctx.signInWithCatalogUser({
                entityRef: {
                  kind: 'User',
                  namespace: 'default',
                  name: result.user,
                },
              });
            },
          }),
        });
      },
    });
  },
});

/**
 * The sign-in providers without credentials, each added only when configured, and only where it
 * is a private demo (the guest module reads its config unguarded when it starts).
 */
export const demoSignInFeatures = createBackendFeatureLoader({
  deps: { config: coreServices.rootConfig, logger: coreServices.rootLogger },
  *loader({ config, logger }) {
    if (config.has('auth.providers.guest')) {
      assertDemoSignInAllowed('guest', config, process.env.NODE_ENV, logger);
      yield guestProviderModule;
    }
    if (config.has('auth.providers.demo')) {
      yield demoAuthModule;
    }
  },
});
