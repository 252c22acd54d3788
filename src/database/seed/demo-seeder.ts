import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CatalogueDemoSeeder } from '../../catalogue/demo/catalogue-demo-seeder';
import { DEMO_OPERATORS } from '../../catalogue/demo/demo-catalogue.data';
import { ChainService } from '../../chain/chain.service';
import { Actor } from '../../common/auth/auth-user';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { Organisation } from '../../organisations/organisation.entity';
import { OrganisationsService } from '../../organisations/organisations.service';
import { User } from '../../organisations/user.entity';
import { UsersService } from '../../organisations/users.service';
import { DEMO_ORGANISATIONS, DEMO_PASSWORD, DEMO_USERS } from './demo-accounts';
import { DemoHistoryLoader, HistoryLoadResult } from './demo-history-loader';

const SEED_ACTOR: Actor = { kind: 'system', label: 'demo seed' };

/** The demo accounts have a published password: never on a production database. */
export class DemoDataRefusedError extends Error {
  constructor(what = 'demo data') {
    super(
      `${what} refused when NODE_ENV=production: the demo accounts (admin@demo.local, …) have the published password "${DEMO_PASSWORD}". ` +
        'Create real accounts with create-admin instead.',
    );
  }
}

/**
 * Loads the demo accounts through the same services as the API (so every row has its audit
 * entry). Idempotent: what exists (by e-mail, credit code or name) is left alone.
 */
@Injectable()
export class DemoSeeder {
  private readonly logger = new Logger('DemoSeed');

  constructor(
    private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly users: UsersService,
    private readonly catalogue: CatalogueDemoSeeder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly chain: ChainService,
    private readonly history: DemoHistoryLoader,
  ) {}

  /** Whether any active demo account (`…@demo.local`, published password) exists: then the server listens on loopback unless HOST is set. */
  async demoAccountsPresent(): Promise<boolean> {
    const rows: { present: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM users WHERE active AND email LIKE '%@demo.local') AS present`,
    );
    return rows[0]?.present === true;
  }

  /** On an empty embedded database at start-up. */
  async seedIfEmpty(): Promise<boolean> {
    const count = await this.dataSource.getRepository(Organisation).count();
    const users = await this.dataSource.getRepository(User).count();
    if (count > 0 || users > 0) return false;
    await this.seed({ history: true });
    return true;
  }

  /**
   * Throws DemoDataRefusedError when NODE_ENV=production. With `history`, the year of activity of
   * demo-history.ts follows (start-up on an empty database and `seed-demo` load it; most tests do not).
   */
  async seed(options: { history?: boolean } = {}): Promise<{
    organisations: number;
    users: number;
    facilities: number;
    resources: number;
    projects: number;
    history?: HistoryLoadResult;
  }> {
    if (this.config.nodeEnv === 'production') throw new DemoDataRefusedError();
    const started = Date.now();
    let createdOrgs = 0;
    let createdUsers = 0;
    const orgIds = new Map<string, string>();
    let catalogue = { facilities: 0, resources: 0 };
    let projects = 0;
    this.logger.log(`loading demo data: ${DEMO_ORGANISATIONS.length} organisations, ${DEMO_USERS.length} users`);
    await this.dataSource.transaction(async (em) => {
      for (const [i, o] of DEMO_ORGANISATIONS.entries()) {
        const existing = await em.findOne(Organisation, {
          where: 'creditCode' in o ? { creditCode: o.creditCode } : { nameZh: o.nameZh, kind: o.kind },
        });
        const org = existing ?? (await this.organisations.insert(em, SEED_ACTOR, { ...o }));
        if (!existing) createdOrgs++;
        orgIds.set(o.key, org.id);
        this.logger.log(`organisations ${i + 1}/${DEMO_ORGANISATIONS.length}: ${o.nameZh}${existing ? ' (exists)' : ''}`);
      }
      for (const [i, u] of DEMO_USERS.entries()) {
        const exists = await em.exists(User, { where: { email: u.email } });
        if (!exists) {
          await this.users.insert(em, SEED_ACTOR, {
            email: u.email,
            displayName: u.displayName,
            role: u.role,
            password: DEMO_PASSWORD,
            organisationId: u.organisation ? orgIds.get(u.organisation) : undefined,
          });
          createdUsers++;
        }
        this.logger.log(`users ${i + 1}/${DEMO_USERS.length}: ${u.email}${exists ? ' (exists)' : ''}`);
      }
      const operators = await this.seedCatalogueOperators(em, orgIds);
      createdOrgs += operators.organisations;
      createdUsers += operators.users;
      catalogue = await this.catalogue.seed(em, orgIds, (m) => this.logger.log(m));
      projects = await this.seedProjects(em, orgIds.get('sme')!);
    });
    this.logger.log(
      `demo data ready in ${Date.now() - started} ms: ${createdOrgs} organisations, ${createdUsers} users, ` +
        `${catalogue.facilities} facilities, ${catalogue.resources} resources and ${projects} chain projects created`,
    );
    const history = options.history ? await this.history.load() : undefined;
    return { organisations: createdOrgs, users: createdUsers, ...catalogue, projects, ...(history ? { history } : {}) };
  }

  /** Two chain projects of sme@demo.local's enterprise, dated back from today (idempotent by Chinese title). */
  private async seedProjects(em: EntityManager, organisationId: string): Promise<number> {
    const today = this.chain.today();
    const daysBefore = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
    let created = 0;
    for (const p of [
      {
        titleZh: '演示·高熵合金粉末中试放大',
        titleEn: 'Demo: pilot scale-up of high-entropy alloy powder',
        direction: 'new_materials' as const,
        description: '实验室已验证 5 kg 批次的球形度与氧含量，正在 200 kg 中试线上熟化工艺。',
        stage: 'pilot_maturation' as const,
        startedOn: daysBefore(400),
        stageEnteredOn: daysBefore(60),
      },
      {
        titleZh: '演示·钠离子电池正极材料',
        titleEn: 'Demo: sodium-ion battery cathode material',
        direction: 'new_energy' as const,
        description: '层状氧化物正极的小试配方筛选。',
        startedOn: daysBefore(90),
      },
    ]) {
      if (await this.chain.insertIfAbsent(em, SEED_ACTOR, organisationId, p)) created++;
    }
    this.logger.log(`chain projects: 2 (${created} created)`);
    return created;
  }

  /** The demo catalogue's further operator organisations, each with one operator user; their keys go into `orgIds`. */
  private async seedCatalogueOperators(em: EntityManager, orgIds: Map<string, string>): Promise<{ organisations: number; users: number }> {
    let organisations = 0;
    let users = 0;
    for (const op of DEMO_OPERATORS) {
      const existing = await em.findOne(Organisation, { where: { nameZh: op.nameZh, kind: 'operator' } });
      const org =
        existing ?? (await this.organisations.insert(em, SEED_ACTOR, { kind: 'operator', nameZh: op.nameZh, nameEn: op.nameEn, cityCode: op.cityCode }));
      if (!existing) organisations++;
      orgIds.set(op.key, org.id);
      if (!(await em.exists(User, { where: { email: op.userEmail } }))) {
        await this.users.insert(em, SEED_ACTOR, {
          email: op.userEmail,
          displayName: op.userDisplayName,
          role: 'operator',
          password: DEMO_PASSWORD,
          organisationId: org.id,
        });
        users++;
      }
    }
    this.logger.log(`catalogue operators: ${DEMO_OPERATORS.length} (${organisations} organisations and ${users} users created)`);
    return { organisations, users };
  }
}
