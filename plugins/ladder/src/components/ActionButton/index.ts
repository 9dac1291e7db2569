export * from './ActionButton';
