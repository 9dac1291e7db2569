import { ReactElement } from 'react';
import { identityApiRef } from '@backstage/core-plugin-api';
import { EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/types';
import { SWRConfig } from 'swr';
import { ladderApiRef, type LadderApi } from '../api';
import { rootRouteRef } from '../routes';

/** A signal API whose channels a test can publish on. */
export function mockSignalApi() {
  const listeners = new Map<string, Array<(m: JsonObject) => void>>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      const list = listeners.get(channel) ?? [];
      list.push(onMessage as (m: JsonObject) => void);
      listeners.set(channel, list);
      return { unsubscribe: () => listeners.set(channel, (listeners.get(channel) ?? []).filter(l => l !== onMessage)) };
    },
  };
  const publish = (channel: string, message: JsonObject) =>
    (listeners.get(channel) ?? []).forEach(l => l(message));
  return { api, publish };
}

export interface RenderOptions {
  ladderApi: LadderApi;
  user?: string;
  /** Permission names to deny; everything else is allowed. */
  deny?: string[];
  entity?: Entity;
  signalApi?: SignalApi;
}

/** Renders a ladder view in a test app with the ladder, identity, permission and signal APIs. */
export function renderWithApis(element: ReactElement, options: RenderOptions) {
  const deny = new Set(options.deny ?? []);
  const apis = [
    [ladderApiRef, options.ladderApi],
    [identityApiRef, mockApis.identity({ userEntityRef: options.user ?? 'user:default/sam' })],
    [
      permissionApiRef,
      mockApis.permission({
        authorize: req => (deny.has(req.permission.name) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW),
      }),
    ],
    [signalApiRef, options.signalApi ?? mockSignalApi().api],
  ] as const;
  // usePermission caches decisions in SWR's global cache by permission and resource, not by user or
  // permission API: each render gets its own cache, so one test's ALLOW is not another's answer.
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider apis={apis}>
        {options.entity ? <EntityProvider entity={options.entity}>{element}</EntityProvider> : element}
      </TestApiProvider>
    </SWRConfig>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        '/ladder': rootRouteRef,
      },
    },
  );
}
