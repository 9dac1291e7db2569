import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated';

/**
 * The ladder API (`/api/ladder`) client, typed by the OpenAPI contract
 * (plugins/ladder-backend/src/schema/openapi.yaml): paths, parameters, bodies and answers come
 * from the generated `paths`, so a call the contract does not allow does not compile.
 * Used as `client.GET('/promotions/{id}', { params: { path: { id } } })`.
 *
 * @public
 */
export type LadderApiClient = Client<paths>;

/** The contract's schemas by name, e.g. `LadderApiSchemas['Promotion']`. @public */
export type LadderApiSchemas = components['schemas'];

/** @public */
export interface LadderApiClientOptions {
  /** Where the ladder API is (e.g. the discovery API's answer for `ladder`), asked per request. */
  baseUrl: () => Promise<string> | string;
  /**
   * Sends one request: Backstage's `fetchApi.fetch` (which adds the user's token) in the frontend,
   * the CLI's own in the terminal. It may throw on a failed answer: the error reaches the caller
   * as it is (e.g. a `ResponseError`), which is how both clients report failures.
   */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** Only a placeholder: every request is re-addressed to `baseUrl()` when it is sent. */
const PLACEHOLDER = 'http://ladder.invalid';

/** Creates the generated ladder API client over a base URL and a fetch of the caller's choice. @public */
export function createLadderApiClient(
  options: LadderApiClientOptions,
): LadderApiClient {
  const send =
    options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  return createClient<paths>({
    baseUrl: PLACEHOLDER,
    // A filter left empty in a form is no filter: empty values stay out of the query.
    querySerializer: query => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query ?? {})) {
        if (value !== undefined && value !== null && value !== '')
          params.set(key, String(value));
      }
      return params.toString();
    },
    fetch: async (request: Request) => {
      const base = String(await options.baseUrl()).replace(/\/+$/, '');
      const url = new URL(request.url);
      const body =
        request.method === 'GET' || request.method === 'HEAD'
          ? ''
          : await request.text();
      return send(`${base}${url.pathname}${url.search}`, {
        method: request.method,
        headers: Object.fromEntries(request.headers.entries()),
        ...(body ? { body } : {}),
      });
    },
  });
}
