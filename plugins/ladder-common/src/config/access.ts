import { z } from 'zod';

/**
 * The ladder routes a service principal (a plugin's or an external caller's token) can be
 * allowed to call, by name. Enrolments, promotion requests, cancels and approvals are not here:
 * people do those (the scaffolder enrols on behalf of the person who ran the template).
 */
export const serviceRoutes = {
  'ladders.read': 'GET /ladders',
  'entities.read': 'GET /entities/:kind/:namespace/:name',
  'overview.read': 'GET /overview',
  'promotions.read': 'GET /promotions, GET /promotions/:id',
  'changes.read': 'GET /changes, GET /promotions/:id/changes',
  'evidence.read': 'GET /evidence',
  'plan.read': 'GET /plan',
  'sources.read': 'GET /sources',
  'audit.read': 'GET /audit',
  'evidence.create': 'POST /evidence',
  'promotions.recheck': 'POST /promotions/:id/recheck',
} as const;

/** A route name of {@link serviceRoutes}. @public */
export type ServiceRoute = keyof typeof serviceRoutes;

/** Names every `*.read` route at once. */
export const READ_ROUTES_ALIAS = 'read';

const routeNames = Object.keys(serviceRoutes) as ServiceRoute[];

const subjectPattern = /^(plugin|external):[A-Za-z0-9][A-Za-z0-9._:@-]*$/;

export const servicePrincipalSchema = z.strictObject({
  /**
   * The token's subject: `plugin:<pluginId>` for a backend plugin's own token,
   * `external:<subject>` for `backend.auth.externalAccess` tokens.
   */
  subject: z
    .string()
    .regex(
      subjectPattern,
      'a service subject is "plugin:<pluginId>" (e.g. plugin:catalog) or "external:<subject>" (an externalAccess token)',
    ),
  /** Route names (see `serviceRoutes`) or `read` for every read route. */
  routes: z
    .array(
      z
        .string()
        .refine(
          r =>
            r === READ_ROUTES_ALIAS || routeNames.includes(r as ServiceRoute),
          {
            message: `unknown route; use "${READ_ROUTES_ALIAS}" or one of ${routeNames.join(
              ', ',
            )}`,
          },
        ),
    )
    .min(1, 'name at least one route (or leave the principal out)')
    .transform(
      routes =>
        [
          ...new Set(
            routes.flatMap(r =>
              r === READ_ROUTES_ALIAS
                ? routeNames.filter(n => n.endsWith('.read'))
                : [r],
            ),
          ),
        ] as ServiceRoute[],
    ),
});
/** @public */
export type ServicePrincipalConfig = z.output<typeof servicePrincipalSchema>;

/**
 * Service principals allowed when `ladder.servicePrincipals` is not set: what the suite's own
 * modules call with their own token. Today none: the scaffolder enrols on behalf of the person
 * who ran the template (a user token), and the kubernetes module runs inside the ladder plugin.
 */
export const DEFAULT_SERVICE_PRINCIPALS: ServicePrincipalConfig[] = [];

const groupRefPattern =
  /^group:([a-z0-9][a-z0-9._-]*\/)?[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

export const customerSchema = z.strictObject({
  /** Customer id, the value of the `khal.ai/customer` entity annotation. */
  id: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]*$/,
      'customer ids are lower-case letters, digits, "-" or "_"',
    ),
  /** The name people read; a rung's `metadata.customer` may name the customer by id or title. */
  title: z.string().min(1),
  /** The catalog groups of the customer's stakeholders: they approve and see this customer's rungs only. */
  stakeholders: z
    .array(
      z
        .string()
        .regex(
          groupRefPattern,
          'a catalog group ref, e.g. "group:default/acme-stakeholders"',
        ),
    )
    .min(1, 'name the catalog group(s) of the customer stakeholders'),
});
/** @public */
export type CustomerConfig = z.output<typeof customerSchema>;

/** Names the customer an entity belongs to (a `ladder.customers[].id`). */
export const CUSTOMER_ANNOTATION = 'khal.ai/customer';
