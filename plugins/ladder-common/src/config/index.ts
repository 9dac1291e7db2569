export * from './schema';
export * from './approvers';
export * from './parse';
export * from './access';
export * from './shellCommand';
export * from './freezes';
