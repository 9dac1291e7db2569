import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';

/**
 * The demo org of demo/catalog/org.yaml, as the auth backend would put it into sign-in tokens
 * (a user and the groups they are a member of), plus the guest of the guest provider. Tests use
 * mock tokens, which carry no ownership claims, so this user info service supplies them.
 */
export const people = {
  guest: ['user:development/guest'],
  alice: ['user:default/alice', 'group:default/fdes'],
  sam: ['user:default/sam', 'group:default/customer-stakeholders'],
  olga: ['user:default/olga', 'group:default/operators'],
} as const;
export type Person = keyof typeof people;

/** The Authorization header of a person's (mock) token. */
export const signedInAs = (who: Person) =>
  mockCredentials.user.header(people[who][0]);

export const peopleUserInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials) {
      const principal = credentials.principal as { userEntityRef?: string };
      const entry = Object.values(people).find(
        refs => refs[0] === principal.userEntityRef,
      );
      if (!entry) {
        throw new NotFoundError(
          `${principal.userEntityRef} is not one of the test people`,
        );
      }
      return { userEntityRef: entry[0], ownershipEntityRefs: [...entry] };
    },
  }),
});
