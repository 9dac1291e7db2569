/**
 * Shared contracts of Khal Ladder: the ladder config, the khal-app.json manifest,
 * promotion phases, permissions and the REST API types.
 *
 * @packageDocumentation
 */
export * from './config';
export * from './manifest';
export * from './phases';
export * from './permissions';
export * from './api';
export * from './annotations';
export * from './mirror';
export { toolsOf } from './commandTools';
export * from './schema/openapi';
