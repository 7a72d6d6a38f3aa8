export { PortfolioPage, PortfolioView } from './PortfolioPage';
export { GroupMigrationsCard, SystemMigrationsCard } from './RollupCard';
