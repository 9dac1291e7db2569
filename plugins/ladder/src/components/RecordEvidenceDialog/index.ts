export * from './RecordEvidenceDialog';
