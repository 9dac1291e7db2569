export * from './mirrorProof';
