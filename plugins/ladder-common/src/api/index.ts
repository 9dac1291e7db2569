export * from './requests';
export * from './responses';
export * from './signals';
export * from './policy';
