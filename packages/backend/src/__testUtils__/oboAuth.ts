import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';

const SERVICE_TOKEN_PREFIX = 'mock-service-token:';

/**
 * The mock auth service, except that a plugin's token issued on behalf of a user authenticates
 * as that user *with the plugin as actor*, as real tokens do. The permission backend tells a
 * plugin asking for a user (conditional decisions allowed) from a user asking directly by the
 * actor; the stock mock drops it, so the real permission backend would refuse the catalog's
 * conditional reads.
 */
const oboAwareAuthFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const inner = mockServices.auth({ pluginId: plugin.getId() });
    const auth: AuthService = Object.create(inner);
    auth.authenticate = (async (token: string, options) => {
      const credentials = await inner.authenticate(token, options);
      const principal = credentials.principal as {
        type: string;
        userEntityRef?: string;
      };
      if (token.startsWith(SERVICE_TOKEN_PREFIX) && principal.userEntityRef) {
        const { sub } = JSON.parse(token.slice(SERVICE_TOKEN_PREFIX.length));
        return mockCredentials.user(principal.userEntityRef, {
          actor: { subject: sub },
        }) as BackstageCredentials;
      }
      return credentials;
    }) as AuthService['authenticate'];
    return auth;
  },
});

/**
 * Auth for tests that run the real permission backend: mock tokens, on-behalf-of tokens that
 * keep their actor, and the real HTTP auth service reading request tokens through them (the mock
 * HTTP auth service would parse tokens itself, and treat a request without one as a user).
 */
export const oboAwareAuthFactories = [
  oboAwareAuthFactory,
  httpAuthServiceFactory,
];
