export * from './LadderEmptyState';
