export { CutoverTab } from './CutoverTab';
