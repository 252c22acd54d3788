import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EntityManager } from 'typeorm';
import { Actor } from '../../common/auth/auth-user';
import { flattenValidationErrors } from '../../common/validation/validation-pipe';
import { CreateFacilityDto } from '../facilities.dto';
import { FacilitiesService } from '../facilities.service';
import { CreateResourceDto } from '../resources.dto';
import { ResourcesService } from '../resources.service';
import { DEMO_FACILITIES } from './demo-catalogue.data';
import type { DemoFacility } from './demo-catalogue.types';

const SEED_ACTOR: Actor = { kind: 'system', label: 'demo seed' };
/** Stands in for the facility id while a demo resource is validated as the API would validate it. */
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

/** Validates demo data with the API's own DTO rules, so the demo catalogue never holds what the API would refuse. */
function validated<T extends object>(cls: new () => T, plain: object, what: string): T {
  const dto = plainToInstance(cls, plain);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    const fields = flattenValidationErrors(errors)
      .map((e) => `${e.field}: ${e.message}`)
      .join('; ');
    throw new Error(`demo catalogue: ${what} is invalid: ${fields}`);
  }
  return dto;
}

/**
 * Loads the demo catalogue through the catalogue services (each facility and resource gets its
 * audit entry). Idempotent: a facility whose Chinese name already exists is skipped with its resources.
 */
@Injectable()
export class CatalogueDemoSeeder {
  constructor(
    private readonly facilities: FacilitiesService,
    private readonly resources: ResourcesService,
  ) {}

  /**
   * @param operatorOrgIds operator key of the demo data ('operator' is operator@demo.local's) → organisation id
   * @param log progress lines
   */
  async seed(
    em: EntityManager,
    operatorOrgIds: Map<string, string>,
    log: (message: string) => void,
    data: readonly DemoFacility[] = DEMO_FACILITIES,
  ): Promise<{ facilities: number; resources: number }> {
    const existing = new Set<string>(
      (await em.query<Array<{ name_zh: string }>>(`SELECT name_zh FROM facilities WHERE name_zh = ANY($1::text[])`, [data.map((f) => f.nameZh)])).map(
        (r: { name_zh: string }) => r.name_zh,
      ),
    );
    const todo = data.filter((f) => !existing.has(f.nameZh));
    log(`catalogue: ${data.length} demo facilities, ${existing.size} already loaded, ${todo.length} to create`);
    let resources = 0;
    for (const [i, demo] of todo.entries()) {
      const operatorId = operatorOrgIds.get(demo.operator);
      if (!operatorId) throw new Error(`demo catalogue: facility ${demo.nameZh} names an unknown operator "${demo.operator}"`);
      const { operator: _key, resources: demoResources, ...fields } = demo;
      const facilityDto = validated(CreateFacilityDto, fields, `facility ${demo.nameZh}`);
      const facility = await this.facilities.insert(em, SEED_ACTOR, operatorId, facilityDto);
      const resourceDtos = demoResources.map((r) => {
        const { facilityId: _placeholder, ...dto } = validated(
          CreateResourceDto,
          { ...r, facilityId: PLACEHOLDER_ID },
          `resource ${r.nameZh} of ${demo.nameZh}`,
        );
        return dto;
      });
      resources += (await this.resources.insertMany(em, SEED_ACTOR, facility, resourceDtos)).length;
      if ((i + 1) % 10 === 0 || i + 1 === todo.length) log(`catalogue: facilities ${i + 1}/${todo.length} created (${resources} resources so far)`);
    }
    log(`catalogue: ${todo.length} facilities and ${resources} resources created`);
    return { facilities: todo.length, resources };
  }
}
