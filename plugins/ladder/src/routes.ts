import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/** The ladder page (overview matrix), `/ladder` by default. */
export const rootRouteRef = createRouteRef({ id: 'ladder' });

/** The approvals inbox inside the ladder page. */
export const approvalsRouteRef = createSubRouteRef({
  id: 'ladder/approvals',
  parent: rootRouteRef,
  path: '/approvals',
});

/** Legacy apps only: the approvals inbox mounted on its own (`LadderApprovalsPage`). */
export const approvalsPageRouteRef = createRouteRef({ id: 'ladder-approvals' });
