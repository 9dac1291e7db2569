// Moved to access/ (caller, permission decisions, service principals live together); this keeps
// the existing imports working.
export * from '../access/PermissionDecisions';
