/**
 * Extension points of the Khal Ladder backend: gates, settings sources and cluster state.
 *
 * @packageDocumentation
 */
export * from './gates';
export * from './settingsSources';
export * from './clusterState';
export * from './extensions';
export * from './git/runGit';
export * from './cache/PromiseCache';
