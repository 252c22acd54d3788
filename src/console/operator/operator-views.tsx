import { FacilitiesService } from '../../catalogue/facilities.service';
import { FacilityQueryDto } from '../../catalogue/facilities.dto';
import { ResourceDto, ResourceQueryDto } from '../../catalogue/resources.dto';
import { ResourcesService } from '../../catalogue/resources.service';
import { FacilityDto } from '../../catalogue/facilities.dto';
import { validateWith } from '../forms';
import type { SignedInContext } from '../page-context';

/** The operator's own resources (inactive ones too), as the API lists them with `operatorId` and `includeInactive`. */
export async function ownResources(resources: ResourcesService, ctx: SignedInContext): Promise<ResourceDto[]> {
  const q = await validateWith(ResourceQueryDto, { operatorId: ctx.viewer.organisationId, includeInactive: 'true', limit: '200' }, 'query');
  return (await resources.search(ctx.viewer, q)).items;
}

/** The operator's own facilities (inactive ones too). */
export async function ownFacilities(facilities: FacilitiesService, ctx: SignedInContext): Promise<FacilityDto[]> {
  const q = await validateWith(FacilityQueryDto, { operatorId: ctx.viewer.organisationId, includeInactive: 'true', limit: '200' }, 'query');
  return (await facilities.search(ctx.viewer, q)).items;
}

/** Yuan as typed in a form → integer fen (a unit conversion only; the DTO checks the value). Not a number: the text itself. */
export function yuanToFen(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d{1,2})?$/.test(v)) return v;
  const [whole, frac = ''] = v.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** Fen → yuan for a form field (no currency sign). */
export const fenToYuan = (fen: number): string => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2));
