import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import {
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  isResourcePermission,
  Permission,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { Migration } from '@switchyard/plugin-cutover-common';
import { Request } from 'express';
import { cutoverMigrationRules } from './permissionRules';

const isAllowedOn = createConditionAuthorizer(
  Object.values(cutoverMigrationRules),
);

/** Who is asking, as the rest of the plugin needs it. */
export interface Caller {
  credentials: BackstageCredentials;
  /** A user entity ref, or `service:<subject>` for jobs and other plugins. */
  actor: string;
  /** The user's entity ref and their groups' (empty for services). */
  ownershipEntityRefs: string[];
  isUser: boolean;
  requestId: string | null;
}

/** Who may be recorded as making a change: a caller, or Switchyard itself. */
export type Actor = Caller | { actor: string; requestId: null };

/** Switchyard itself, as the actor of what it does on its own. */
export const SYSTEM_ACTOR = { actor: 'switchyard', requestId: null } as const;

/**
 * The one place that identifies callers and checks permissions; denials throw NotAllowedError,
 * which the framework turns into 403.
 */
export class CutoverAccess {
  /**
   * Policy decisions per user and permission, kept briefly: a dashboard polled by many users
   * would otherwise ask the permission backend on every request. Conditional decisions are
   * still evaluated against each migration; a policy change takes effect within the TTL.
   */
  private readonly decisions = new Map<
    string,
    { at: number; decision: Promise<PolicyDecision> }
  >();
  private static readonly DECISION_TTL_MS = 5_000;
  private static readonly DECISION_CACHE_MAX = 10_000;

  constructor(
    private readonly deps: {
      httpAuth: HttpAuthService;
      auth: AuthService;
      permissions: PermissionsService;
      userInfo: UserInfoService;
      clock: CutoverClock;
    },
  ) {}

  async caller(req: Request): Promise<Caller> {
    const credentials = await this.deps.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const requestId =
      (req.header('x-request-id') as string | undefined)?.slice(0, 127) ?? null;
    if (this.deps.auth.isPrincipal(credentials, 'user')) {
      let ownershipEntityRefs = [credentials.principal.userEntityRef];
      try {
        const info = await this.deps.userInfo.getUserInfo(credentials);
        ownershipEntityRefs = info.ownershipEntityRefs;
      } catch {
        // Tokens without ownership claims still identify the user.
      }
      return {
        credentials,
        actor: credentials.principal.userEntityRef,
        ownershipEntityRefs,
        isUser: true,
        requestId,
      };
    }
    const subject = this.deps.auth.isPrincipal(credentials, 'service')
      ? credentials.principal.subject
      : 'unknown';
    return {
      credentials,
      actor: `service:${subject}`,
      ownershipEntityRefs: [],
      isUser: false,
      requestId,
    };
  }

  /**
   * Throws NotAllowedError unless the caller may do `permission` (on the migration, if given).
   * Conditional decisions are evaluated here, against the migration already loaded.
   */
  async authorize(
    caller: Caller,
    permission: Permission,
    migration?: Migration,
  ): Promise<void> {
    const allowed =
      isResourcePermission(permission) && migration
        ? isAllowedOn(await this.decide(caller, permission), migration)
        : (
            await this.deps.permissions.authorize(
              [{ permission: permission as BasicPermission }],
              { credentials: caller.credentials },
            )
          )[0].result === AuthorizeResult.ALLOW;
    if (!allowed) {
      throw new NotAllowedError(
        `${caller.actor} is not allowed to ${permission.name}${
          migration ? ` on migration ${migration.id}` : ''
        }`,
      );
    }
  }

  /** The policy's decision for a resource permission, possibly conditional. */
  async decide(
    caller: Caller,
    permission: ResourcePermission,
  ): Promise<PolicyDecision> {
    const ask = async () => {
      const [decision] = await this.deps.permissions.authorizeConditional(
        [{ permission }],
        { credentials: caller.credentials },
      );
      return decision;
    };
    if (!caller.isUser) return ask();
    const key = `${caller.actor}\u0000${permission.name}`;
    const now = this.deps.clock.now();
    const cached = this.decisions.get(key);
    if (cached && now - cached.at < CutoverAccess.DECISION_TTL_MS)
      return cached.decision;
    if (this.decisions.size >= CutoverAccess.DECISION_CACHE_MAX)
      this.decisions.clear();
    const decision = ask();
    this.decisions.set(key, { at: now, decision });
    decision.catch(() => this.decisions.delete(key));
    return decision;
  }

  /** Whether a decision allows the action on a migration. */
  allows(decision: PolicyDecision, migration: Migration): boolean {
    return isAllowedOn(decision, migration);
  }

  /** Whether the caller may do any of `permissions`; for routes that accept either. */
  async authorizeAny(
    caller: Caller,
    permissions: Permission[],
    migration: Migration,
  ): Promise<void> {
    let lastError: unknown;
    for (const permission of permissions) {
      try {
        await this.authorize(caller, permission, migration);
        return;
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError;
  }
}
