export { ReadinessTab } from './ReadinessTab';
