export * from './schema';
export * from './parse';
export * from './access';
export * from './shellCommand';
export * from './freezes';
export * from './durations';
export * from './windows';
export * from './expiry';
