import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  stringifyEntityRef,
  parseEntityRef,
} from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';

const MAX_GROUP_DEPTH = 8;

/**
 * Who belongs to what, read from the catalog (never by comparing strings a caller controls): the
 * groups a user is a member of, with their parent groups, and whether an entity ref names a user or
 * group that exists.
 */
export class Membership {
  constructor(
    private readonly deps: { catalog: CatalogService; auth: AuthService },
  ) {}

  private async credentials() {
    return { credentials: await this.deps.auth.getOwnServiceCredentials() };
  }

  /** The entity an entity ref names, or undefined when the catalog does not know it. */
  async entity(ref: string): Promise<Entity | undefined> {
    let normalized: string;
    try {
      normalized = stringifyEntityRef(parseEntityRef(ref));
    } catch {
      return undefined;
    }
    return this.deps.catalog.getEntityByRef(
      normalized,
      await this.credentials(),
    );
  }

  /**
   * The user's own ref and every group they belong to: directly (the catalog's `memberOf`
   * relations) and through parent groups, plus the refs their sign-in put in their token.
   */
  async groupsOf(
    userRef: string,
    tokenClaims: string[] = [],
  ): Promise<Set<string>> {
    const out = new Set<string>([
      userRef.toLocaleLowerCase('en-US'),
      ...tokenClaims.map(c => c.toLocaleLowerCase('en-US')),
    ]);
    const user = await this.entity(userRef);
    let frontier = user
      ? related(
          user,
          'memberOf',
          (user.spec?.memberOf as string[] | undefined) ?? [],
          'group',
        )
      : [];
    for (let depth = 0; frontier.length && depth < MAX_GROUP_DEPTH; depth++) {
      const next: string[] = [];
      for (const group of frontier) {
        if (out.has(group)) continue;
        out.add(group);
        const entity = await this.entity(group);
        const parent = entity?.spec?.parent as string | undefined;
        if (entity)
          next.push(
            ...related(entity, 'childOf', parent ? [parent] : [], 'group'),
          );
      }
      frontier = next;
    }
    return out;
  }

  /** Whether a user is the owner or belongs to the owning group (directly or through a child group). */
  async isMemberOf(
    userRef: string,
    ownerRef: string,
    tokenClaims: string[] = [],
  ): Promise<boolean> {
    return (await this.groupsOf(userRef, tokenClaims)).has(
      ownerRef.toLocaleLowerCase('en-US'),
    );
  }
}

function related(
  entity: Entity,
  type: string,
  fallback: string[],
  defaultKind: string,
): string[] {
  const fromRelations = (entity.relations ?? [])
    .filter(r => r.type === type)
    .map(r => r.targetRef);
  const refs = fromRelations.length ? fromRelations : fallback;
  return refs.map(ref => {
    try {
      return stringifyEntityRef(
        parseEntityRef(ref, {
          defaultKind,
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      ).toLocaleLowerCase('en-US');
    } catch {
      return ref.toLocaleLowerCase('en-US');
    }
  });
}
