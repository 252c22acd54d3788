import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor } from '../../common/auth/auth-user';
import { Organisation } from '../../organisations/organisation.entity';
import { OrganisationsService } from '../../organisations/organisations.service';
import { User } from '../../organisations/user.entity';
import { UsersService } from '../../organisations/users.service';
import { DEMO_ORGANISATIONS, DEMO_PASSWORD, DEMO_USERS } from './demo-accounts';

const SEED_ACTOR: Actor = { kind: 'system', label: 'demo seed' };

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
  ) {}

  /** On an empty embedded database at start-up. */
  async seedIfEmpty(): Promise<boolean> {
    const count = await this.dataSource.getRepository(Organisation).count();
    const users = await this.dataSource.getRepository(User).count();
    if (count > 0 || users > 0) return false;
    await this.seed();
    return true;
  }

  async seed(): Promise<{ organisations: number; users: number }> {
    const started = Date.now();
    let createdOrgs = 0;
    let createdUsers = 0;
    const orgIds = new Map<string, string>();
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
    });
    this.logger.log(`demo data ready in ${Date.now() - started} ms: ${createdOrgs} organisations and ${createdUsers} users created`);
    return { organisations: createdOrgs, users: createdUsers };
  }
}
