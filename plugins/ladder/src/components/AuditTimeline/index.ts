export * from './AuditTimeline';
