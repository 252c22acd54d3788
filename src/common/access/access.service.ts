import { Global, Injectable, Module } from '@nestjs/common';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { DomainError, forbidden, notFound } from '../errors/domain-error';
import { ACCESS_ENTITIES, Permission, PermissionRule, PERMISSIONS, Viewer } from './permissions';

/** An SQL predicate with its positional parameters (`$n`), for a hand-written list query. */
export interface SqlScope {
  sql: string;
  params: unknown[];
}

export interface AccessOptions {
  /** The transaction to ask in (default: the pool). */
  em?: EntityManager;
  /** The 403 to throw instead of the permission's own (e.g. naming the action). */
  denied?: () => DomainError;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BIGINT = /^[1-9][0-9]{0,17}$/;

const viewerOf = (auth: AuthUser | undefined): Viewer => auth?.role ?? 'public';
const rule = (permission: Permission): PermissionRule => PERMISSIONS[permission];

/**
 * Row access, in one place: "may this caller <permission> these ids?", answered in bulk by one SQL
 * query, and the same rules as predicates for list queries. The rules themselves are the table in
 * `permissions.ts`; services never compare roles and organisation ids themselves.
 */
@Injectable()
export class AccessService {
  constructor(private readonly dataSource: DataSource) {}

  /** Whether the caller's role can hold the permission on any row at all (no query). */
  holds(auth: AuthUser | undefined, permission: Permission): boolean {
    return rule(permission).roles[viewerOf(auth)] !== undefined;
  }

  /** The ids among `ids` the caller holds the permission on (unknown ids are simply not in the set). One query. */
  async check(auth: AuthUser | undefined, permission: Permission, ids: readonly string[], em?: EntityManager): Promise<Set<string>> {
    const rows = await this.lookup(auth, permission, ids, em);
    return new Set(rows.filter((r) => r.allowed).map((r) => r.id));
  }

  /**
   * Throws unless the caller holds the permission on every id: 404 when one of them is unknown or
   * one the caller may not even see, otherwise the permission's 403. One query.
   */
  async requireAccess(auth: AuthUser | undefined, permission: Permission, ids: readonly string[], options: AccessOptions = {}): Promise<void> {
    const wanted = new Set(ids);
    const rows = await this.lookup(auth, permission, [...wanted], options.em);
    const r = rule(permission);
    if (rows.length < wanted.size || rows.some((row) => !row.seen)) throw notFound(ACCESS_ENTITIES[r.entity].label);
    if (rows.some((row) => !row.allowed)) throw (options.denied ?? r.denied ?? (() => forbidden()))();
  }

  /**
   * The permission as a predicate over the entity's aliases (`b`/`f` for bookings, …) for a list
   * query, with positional parameters numbered from `firstParam`.
   */
  scope(auth: AuthUser | undefined, permission: Permission, firstParam = 1): SqlScope {
    const params: unknown[] = [];
    const sql = this.bind(this.predicate(auth, permission), auth, (value) => {
      params.push(value);
      return `$${firstParam + params.length - 1}`;
    });
    return { sql, params };
  }

  /** The same for a TypeORM query builder whose aliases are the entity's (named parameters). */
  applyScope<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, auth: AuthUser | undefined, permission: Permission): void {
    const params: Record<string, unknown> = {};
    const sql = this.bind(this.predicate(auth, permission), auth, (value, name) => {
      params[`access_${name}`] = value;
      return `:access_${name}`;
    });
    qb.andWhere(`(${sql})`, params);
  }

  private predicate(auth: AuthUser | undefined, permission: Permission): string {
    return rule(permission).roles[viewerOf(auth)] ?? 'FALSE';
  }

  /** Replaces `:org` and `:user` with parameters (typed, so that an unused or null one is no problem). */
  private bind(sql: string, auth: AuthUser | undefined, param: (value: unknown, name: 'org' | 'user') => string): string {
    const bound = new Map<string, string>();
    return sql.replace(/:(org|user)\b/g, (_, name: 'org' | 'user') => {
      if (!bound.has(name)) bound.set(name, `${param(name === 'org' ? (auth?.organisationId ?? null) : (auth?.userId ?? null), name)}::uuid`);
      return bound.get(name)!;
    });
  }

  private async lookup(
    auth: AuthUser | undefined,
    permission: Permission,
    ids: readonly string[],
    em: EntityManager = this.dataSource.manager,
  ): Promise<Array<{ id: string; allowed: boolean; seen: boolean }>> {
    const r = rule(permission);
    const entity = ACCESS_ENTITIES[r.entity];
    const valid = ids.filter((id) => (entity.idType === 'uuid' ? UUID : BIGINT).test(id)).map((id) => id.toLowerCase());
    if (valid.length === 0) return [];
    const params: unknown[] = [valid];
    const next = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const allowed = this.bind(this.predicate(auth, permission), auth, next);
    const seen = r.seen === undefined ? allowed : r.seen === 'exists' ? 'TRUE' : this.bind(this.predicate(auth, r.seen as Permission), auth, next);
    const rows: Array<{ id: string; allowed: boolean; seen: boolean }> = await em.query(
      `SELECT ${entity.id}::text AS id, coalesce(${allowed}, FALSE) AS allowed, coalesce(${seen}, FALSE) AS seen
         FROM ${entity.from}
        WHERE ${entity.id} = ANY($1::${entity.idType}[])`,
      params,
    );
    return rows.map((row) => ({ id: row.id, allowed: row.allowed, seen: row.seen || row.allowed }));
  }
}

/** Registered once in AppModule; every module can inject AccessService. */
@Global()
@Module({ providers: [AccessService], exports: [AccessService] })
export class AccessModule {}
