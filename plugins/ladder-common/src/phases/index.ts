export * from './phase';
export * from './transitions';
export * from './tone';
export * from './rungStatus';
