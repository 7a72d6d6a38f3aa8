// The integrity checks of a reconciliation: relations (relations.ts) and golden queries
// (goldenQueries.ts), one import for their callers.
export * from './relations';
export * from './goldenQueries';
