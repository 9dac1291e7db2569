export * from './GateChecklist';
