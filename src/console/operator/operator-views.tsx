import type { PropsWithChildren } from '@kitajs/html';
import { DomainError } from '../../common/errors/domain-error';
import { FacilitiesService } from '../../catalogue/facilities.service';
import { FacilityQueryDto } from '../../catalogue/facilities.dto';
import { ResourceDto, ResourceQueryDto } from '../../catalogue/resources.dto';
import { ResourcesService } from '../../catalogue/resources.service';
import { FacilityDto } from '../../catalogue/facilities.dto';
import { formErrorsOf, FormErrors, validateWith } from '../forms';
import type { PageContext, SignedInContext } from '../page-context';

/** The Chinese or English name of a thing that has both. */
export const nameOf = (ctx: PageContext, x: { nameZh: string; nameEn?: string | null }): string => (ctx.language === 'en' && x.nameEn ? x.nameEn : x.nameZh);

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

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

/** A refused form's errors, or the error again if it is not a service's refusal. */
export function errorsOf(ctx: PageContext, e: unknown): FormErrors {
  if (e instanceof DomainError && e.status < 500) return formErrorsOf(e, ctx.language, ctx.m.common.formHasErrors);
  throw e;
}

/** The HTTP status a re-rendered refused form answers with. */
export const statusOf = (e: unknown): number => (e instanceof DomainError && e.status >= 400 && e.status < 500 ? e.status : 400);

/** Yuan as typed in a form → integer fen (a unit conversion only; the DTO checks the value). Not a number: the text itself. */
export function yuanToFen(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d{1,2})?$/.test(v)) return v;
  const [whole, frac = ''] = v.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** Fen → yuan for a form field (no currency sign). */
export const fenToYuan = (fen: number): string => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2));

/** A labelled text field for one of several forms on a page (ids must be unique), with its error beside it. */
export function RowField(props: { id: string; name: string; label: string; value?: string; error?: string; required?: boolean; type?: string }): JSX.Element {
  return (
    <div class={['field', props.error ? 'has-error' : '']}>
      <label for={props.id} safe>
        {props.label}
      </label>
      <input
        id={props.id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
      />
      {props.error ? (
        <p id={`${props.id}-error`} class="field-error" role="alert" safe>
          {props.error}
        </p>
      ) : (
        ''
      )}
    </div>
  );
}

/** A description list of label → value pairs. */
export function Facts(props: PropsWithChildren<{ items: Array<[string, string]> }>): JSX.Element {
  return (
    <dl class="facts">
      {props.items.map(([k, v]) => (
        <>
          <dt safe>{k}</dt>
          <dd safe>{v}</dd>
        </>
      ))}
      {props.children}
    </dl>
  );
}
