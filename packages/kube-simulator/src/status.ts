/*
 * meta/v1 Status objects, the error (and delete) bodies of the Kubernetes API.
 */

/** Details of a Status, naming the object concerned. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
}

/** An error the router answers with a Status body. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }
}

/** A Status body. */
export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    ...(code < 400 ? {} : { reason }),
    ...(details ? { details } : {}),
    code,
  };
}

/** `<plural>[.<group>] "<name>" not found`, as the API words it. */
export function notFound(
  plural: string,
  group: string,
  name: string,
): ApiError {
  const resource = group ? `${plural}.${group}` : plural;
  return new ApiError(404, 'NotFound', `${resource} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: plural,
  });
}

export const unauthorized = (): ApiError =>
  new ApiError(401, 'Unauthorized', 'Unauthorized');

export const pathNotFound = (): ApiError =>
  new ApiError(
    404,
    'NotFound',
    'the server could not find the requested resource',
  );

export const badRequest = (message: string): ApiError =>
  new ApiError(400, 'BadRequest', message);

export const methodNotAllowed = (message: string): ApiError =>
  new ApiError(405, 'MethodNotAllowed', message);
