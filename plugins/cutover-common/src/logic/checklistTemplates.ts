/** An item of a checklist template. @public */
export interface ChecklistTemplateItem {
  id: string;
  category: string;
  title: string;
  description?: string;
  required: boolean;
}

/**
 * The standard cutover checklist of the product's design.
 * @public
 */
export const STANDARD_CHECKLIST: ChecklistTemplateItem[] = [
  { id: 'DQ001', category: 'Data quality', title: 'All tier 1 datasets (master data) imported', required: true },
  { id: 'DQ002', category: 'Data quality', title: 'Overall data quality score >= 85%', required: true },
  { id: 'DQ003', category: 'Data quality', title: 'No critical validation errors remain', required: true },
  { id: 'DQ004', category: 'Data quality', title: 'All foreign key references valid', required: true },
  { id: 'DQ005', category: 'Data quality', title: 'No data loss in transformations', required: true },
  { id: 'SR001', category: 'System readiness', title: 'Database performance acceptable (queries < 1 s)', required: true },
  { id: 'SR002', category: 'System readiness', title: 'All integrations tested and functional', required: true },
  { id: 'SR003', category: 'System readiness', title: 'Backup and restore procedures validated', required: true },
  { id: 'SR004', category: 'System readiness', title: 'Monitoring and alerting in place', required: true },
  { id: 'UR001', category: 'User readiness', title: 'User training completed for all roles', required: true },
  { id: 'UR002', category: 'User readiness', title: 'Go-live support plan in place', required: true },
  { id: 'UR003', category: 'User readiness', title: 'Runbooks and documentation finalized', required: true },
  { id: 'TEST001', category: 'Testing', title: 'End-to-end business process testing completed', required: true },
  { id: 'TEST002', category: 'Testing', title: 'User acceptance testing (UAT) passed', required: true },
  { id: 'TEST003', category: 'Testing', title: 'Regression testing for existing functionality', required: true },
  { id: 'POST001', category: 'Testing', title: 'Performance baseline testing completed', required: false },
  { id: 'POST002', category: 'Testing', title: 'Load testing completed', required: false },
];

/**
 * Checklist items the backend decides from progress data. DQ004 / DQ005 (reconciliation) and
 * SR003 (verified snapshots) are decided by the backend's checklist evaluators when the migration
 * has reconciliation and snapshots (see the item's `automated` flag on the checklist).
 * @public
 */
export const AUTOMATED_CHECKLIST_ITEMS = ['DQ001', 'DQ002', 'DQ003'];
