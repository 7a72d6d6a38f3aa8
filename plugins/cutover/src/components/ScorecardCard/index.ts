export { ScorecardCard, SWITCHYARD_FACT_RETRIEVER_ID } from './ScorecardCard';
