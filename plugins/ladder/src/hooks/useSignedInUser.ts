import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import type { SignedInUser } from '../promotions/actionAvailability';

/** The signed-in user's entity ref and ownership refs (undefined while loading). */
export function useSignedInUser(): SignedInUser | undefined {
  const identityApi = useApi(identityApiRef);
  const { value } = useAsync(async () => {
    const identity = await identityApi.getBackstageIdentity();
    return {
      userEntityRef: identity.userEntityRef,
      ownershipEntityRefs: identity.ownershipEntityRefs,
    };
  }, [identityApi]);
  return value;
}
