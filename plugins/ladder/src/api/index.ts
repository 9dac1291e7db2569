export * from './LadderApi';
export * from './LadderClient';
export * from './PlanUnresolvedError';
export * from './errorMessage';
