export * from './ErrorAlert';
