// Readiness settings from config, and the dependencies the readiness parts share.
import type { Config } from '@backstage/config';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import {
  type ChecklistTemplateItem,
  type Dashboard,
  type Migration,
  STANDARD_CHECKLIST,
} from '@switchyard/plugin-cutover-common';
import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import type { CutoverStore } from '../../database/CutoverStore';
import type { Membership } from '../../governance/Membership';
import type { AuditLog } from '../AuditLog';
import { duration } from '../settings';
import type { SignalPublisher } from '../SignalPublisher';

/** Approval settings from `cutover.approvals`. */
export interface ApprovalSettings {
  required: number;
  allowSelfApproval: boolean;
  expiresAfterMs: number | null;
  allowNoGoOverride: boolean;
  /** Whether switching reads to DUAL needs a current approval too (NEW and CUTOVER always do). */
  gateDualReads: boolean;
}

/** Reads approval settings and checklist templates from config. */
export function readReadinessConfig(root: Config) {
  const c = root.getOptionalConfig('cutover.approvals');
  const approvals: ApprovalSettings = {
    required: c?.getOptionalNumber('required') ?? 1,
    allowSelfApproval: c?.getOptionalBoolean('allowSelfApproval') ?? false,
    expiresAfterMs: duration(c, 'expiresAfter', 7 * 86_400_000),
    allowNoGoOverride: c?.getOptionalBoolean('allowNoGoOverride') ?? false,
    gateDualReads: c?.getOptionalBoolean('gateDualReads') ?? false,
  };
  const templates: Record<string, ChecklistTemplateItem[]> = {
    standard: STANDARD_CHECKLIST,
  };
  const custom = root.getOptionalConfig('cutover.checklist.templates');
  for (const name of custom?.keys() ?? []) {
    templates[name] = custom!.getConfigArray(name).map(item => ({
      id: item.getString('id'),
      category: item.getString('category'),
      title: item.getString('title'),
      description: item.getOptionalString('description'),
      required: item.getOptionalBoolean('required') ?? true,
    }));
  }
  return { approvals, templates };
}

/** What the readiness parts share: the store, audit, signals, settings and the clock. */
export interface ReadinessDeps {
  store: CutoverStore;
  audit: AuditLog;
  signals: SignalPublisher;
  notifications?: NotificationService;
  dashboard: (migration: Migration) => Promise<Dashboard>;
  approvals: ApprovalSettings;
  templates: Record<string, ChecklistTemplateItem[]>;
  qualityThreshold: number;
  cautionThreshold: number;
  /** Who belongs to the migration's owner, from the catalog (separation of duties). */
  membership?: Membership;
  /** The plugin's one clock (see cutoverClockServiceRef). */
  clock: CutoverClock;
}
