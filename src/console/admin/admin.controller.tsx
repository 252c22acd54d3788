import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ChangeRoleDto, ResetPasswordDto } from '../../auth/auth.dto';
import { UserAdminService } from '../../auth/user-admin.service';
import { ROLES } from '../../common/auth/auth-user';
import { badRequest } from '../../common/errors/domain-error';
import { LIAONING_CITIES } from '../../common/cities';
import { UuidParam } from '../../common/validation/uuid-param';
import { ORGANISATION_KINDS } from '../../organisations/organisation.entity';
import { CreateOrganisationDto, CreateUserDto, OrganisationQueryDto, UserQueryDto } from '../../organisations/organisations.dto';
import { OrganisationsService } from '../../organisations/organisations.service';
import { User } from '../../organisations/user.entity';
import { UsersService } from '../../organisations/users.service';
import { PutReferenceDto } from '../../reports/indicators.dto';
import { IndicatorsService } from '../../reports/indicators.service';
import { redirectTo } from '../console-exception.filter';
import { ConsoleController, ForRoles, Html, Page } from '../console.decorators';
import { ConsoleRequest } from '../console.guard';
import { errorsOf, formBoolean, FormErrors, formNumber, formText, statusOf, validateWith } from '../forms';
import type { SignedInContext } from '../page-context';
import { CsrfField, Field, FormError, Option, Pager, SelectField, Table } from '../views/components';
import { formatDateTime, formatNumber, nameOf } from '../views/format';
import { Layout } from '../views/layout';
import { FilterSelect } from '../official/official-views';

type Form = Record<string, unknown>;
const TZ = 'Asia/Shanghai';
const PAGE = 20;
/** A value, or a dash when there is none. */
const dash = (v: string | null | undefined): string => (v === null || v === undefined || v === '' ? '—' : v);
const val = (body: Form | undefined, k: string): string | undefined => (body && typeof body[k] === 'string' ? body[k] : undefined);

/** The admin's pages (role admin): organisations, users and the indicator reference values. */
@ConsoleController('admin')
@ForRoles('admin')
export class AdminPagesController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly users: UsersService,
    private readonly userAdmin: UserAdminService,
    private readonly indicatorsService: IndicatorsService,
  ) {}

  // ---- organisations

  @Get('organisations')
  @Html()
  async organisationsPage(@Page() ctx: SignedInContext, @Query() query: Form) {
    return this.renderOrganisations(ctx, query);
  }

  @Post('organisations')
  @Html()
  async createOrganisation(@Page() ctx: SignedInContext, @Body() body: Form, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    const raw = {
      kind: formText(body.kind),
      nameZh: formText(body.nameZh),
      nameEn: formText(body.nameEn),
      creditCode: formText(body.creditCode),
      sme: formBoolean(body.sme),
      cityCode: formText(body.cityCode),
    };
    try {
      await this.organisations.create(ctx.viewer, await validateWith(CreateOrganisationDto, raw));
    } catch (e) {
      const errors = errorsOf(ctx, e);
      res.status(statusOf(e));
      if (errors.detail && /credit/i.test(errors.detail)) errors.fields.creditCode ??= errors.message;
      return this.renderOrganisations(ctx, {}, body, errors);
    }
    redirectTo(req, res, `/admin/organisations?kind=${encodeURIComponent(raw.kind ?? '')}&notice=admin.organisationCreated`);
  }

  private async renderOrganisations(ctx: SignedInContext, query: Form, body?: Form, errors?: FormErrors) {
    const a = ctx.m.admin;
    const kind = formText(query.kind);
    const q = await validateWith(OrganisationQueryDto, { kind, limit: String(PAGE), offset: formText(query.offset) ?? '0' }, 'query');
    const list = await this.organisations.list(ctx.viewer, q);
    const kinds: Option[] = ORGANISATION_KINDS.map((k) => ({ value: k, label: ctx.m.vocabulary.label(k) }));
    const f = errors?.fields ?? {};
    return (
      <Layout ctx={ctx} title={ctx.m.common.navOrganisations}>
        <form method="get" action="/admin/organisations" class="filters">
          <FilterSelect name="kind" label={a.kind} options={kinds} value={kind} empty={ctx.m.common.all} />
          <button type="submit" safe>
            {ctx.m.common.search}
          </button>
        </form>
        <Table
          caption={a.organisationList}
          headers={[a.name, a.kind, a.creditCode, a.sme, a.city, a.createdAt]}
          empty={ctx.m.common.nothingFound}
          rows={list.items.map((o) => (
            <tr id={`o-${o.id}`}>
              <td safe>{nameOf(ctx, o)}</td>
              <td safe>{ctx.m.vocabulary.label(o.kind)}</td>
              <td safe>{dash(o.creditCode)}</td>
              <td safe>{dash(o.kind === 'enterprise' ? (o.sme ? ctx.m.common.yes : ctx.m.common.no) : null)}</td>
              <td safe>{dash(o.cityCode && ctx.m.vocabulary.city(o.cityCode))}</td>
              <td safe>{formatDateTime(o.createdAt, TZ, ctx.language)}</td>
            </tr>
          ))}
        />
        <Pager ctx={ctx} total={list.total} limit={PAGE} offset={q.offset ?? 0} query={{ kind }} />
        <p class="muted" safe>
          {a.noOrganisationDeactivation}
        </p>
        <section aria-labelledby="h-new-org" class="card">
          <h2 id="h-new-org" safe>
            {a.newOrganisation}
          </h2>
          <FormError message={errors?.message} detail={errors?.detail} />
          <form method="post" action="/admin/organisations" class="org-form">
            <CsrfField ctx={ctx} />
            <SelectField name="kind" label={a.kind} options={kinds} value={val(body, 'kind') ?? 'enterprise'} error={f.kind} required />
            <Field name="nameZh" label={a.nameZh} value={val(body, 'nameZh')} error={f.nameZh} required />
            <Field name="nameEn" label={a.nameEn} value={val(body, 'nameEn')} error={f.nameEn} />
            <Field name="creditCode" label={a.creditCode} value={val(body, 'creditCode')} error={f.creditCode} hint={a.creditCodeHint} />
            <div class="field checkbox">
              <input id="f-sme" name="sme" type="checkbox" checked={body ? formBoolean(body.sme) : false} />
              <label for="f-sme" safe>
                {a.smeLabel}
              </label>
            </div>
            <SelectField
              name="cityCode"
              label={a.city}
              options={LIAONING_CITIES.map((c) => ({ value: c.code, label: ctx.language === 'en' ? c.nameEn : c.nameZh }))}
              value={val(body, 'cityCode') ?? ''}
              empty="—"
              error={f.cityCode}
            />
            <button type="submit" safe>
              {a.create}
            </button>
          </form>
        </section>
      </Layout>
    );
  }

  // ---- users

  @Get('users')
  @Html()
  async usersPage(@Page() ctx: SignedInContext, @Query() query: Form) {
    return this.renderUsers(ctx, query);
  }

  @Post('users')
  @Html()
  async createUser(@Page() ctx: SignedInContext, @Body() body: Form, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    const role = formText(body.role);
    const raw = {
      email: formText(body.email),
      displayName: formText(body.displayName),
      password: typeof body.password === 'string' && body.password !== '' ? body.password : undefined,
      role,
      organisationId: formText(body.organisationId),
    };
    let user: User;
    try {
      user = await this.users.create(ctx.viewer, await validateWith(CreateUserDto, raw));
    } catch (e) {
      const errors = errorsOf(ctx, e);
      res.status(statusOf(e));
      if (errors.detail && /e-?mail/i.test(errors.detail)) errors.fields.email ??= errors.message;
      return this.renderUsers(ctx, {}, { ...body, password: '' }, errors);
    }
    redirectTo(req, res, `/admin/users/${user.id}?notice=admin.userCreated`);
  }

  private async organisationOptions(ctx: SignedInContext): Promise<Option[]> {
    const orgs = await this.organisations.list(ctx.viewer, await validateWith(OrganisationQueryDto, { limit: '200' }, 'query'));
    return orgs.items.map((o) => ({ value: o.id, label: `${nameOf(ctx, o)}（${ctx.m.vocabulary.label(o.kind)}）` }));
  }

  private async renderUsers(ctx: SignedInContext, query: Form, body?: Form, errors?: FormErrors) {
    const a = ctx.m.admin;
    const role = formText(query.role);
    const q = await validateWith(
      UserQueryDto,
      { role, organisationId: formText(query.organisationId), limit: String(PAGE), offset: formText(query.offset) ?? '0' },
      'query',
    );
    const [list, orgOptions] = await Promise.all([this.users.list(ctx.viewer, q), this.organisationOptions(ctx)]);
    const roles: Option[] = ROLES.map((r) => ({ value: r, label: ctx.m.vocabulary.label(r) }));
    const f = errors?.fields ?? {};
    return (
      <Layout ctx={ctx} title={ctx.m.common.navUsers}>
        <form method="get" action="/admin/users" class="filters">
          <FilterSelect name="role" label={a.role} options={roles} value={role} empty={ctx.m.common.all} />
          <button type="submit" safe>
            {ctx.m.common.search}
          </button>
        </form>
        <Table
          caption={a.userList}
          headers={[a.email, a.displayName, a.role, a.organisation, a.status, a.actions]}
          empty={ctx.m.common.nothingFound}
          rows={list.items.map((u) => (
            <tr id={`u-${u.id}`}>
              <td>
                <a href={`/admin/users/${u.id}`} safe>
                  {u.email}
                </a>
              </td>
              <td safe>{u.displayName}</td>
              <td safe>{ctx.m.vocabulary.label(u.role)}</td>
              <td safe>{dash(u.organisation && nameOf(ctx, u.organisation))}</td>
              <td safe>{u.active ? a.active : a.inactive}</td>
              <td>
                <ActiveForm ctx={ctx} user={u} />
              </td>
            </tr>
          ))}
        />
        <Pager ctx={ctx} total={list.total} limit={PAGE} offset={q.offset ?? 0} query={{ role }} />
        <section aria-labelledby="h-new-user" class="card">
          <h2 id="h-new-user" safe>
            {a.newUser}
          </h2>
          <FormError message={errors?.message} detail={errors?.detail} />
          <form method="post" action="/admin/users" class="user-form">
            <CsrfField ctx={ctx} />
            <Field name="email" label={a.email} type="email" value={val(body, 'email')} error={f.email} required />
            <Field name="displayName" label={a.displayName} value={val(body, 'displayName')} error={f.displayName} required />
            <Field
              name="password"
              label={a.initialPassword}
              type="password"
              error={f.password}
              hint={ctx.m.common.newPasswordHint}
              required
              attrs={{ autocomplete: 'new-password' }}
            />
            <SelectField name="role" label={a.role} options={roles} value={val(body, 'role') ?? 'enterprise'} error={f.role} required />
            <SelectField
              name="organisationId"
              label={a.organisation}
              options={orgOptions}
              value={val(body, 'organisationId') ?? ''}
              empty={a.noOrganisation}
              error={f.organisationId}
            />
            <button type="submit" safe>
              {a.create}
            </button>
          </form>
        </section>
      </Layout>
    );
  }

  @Get('users/:id')
  @Html()
  async userPage(@Page() ctx: SignedInContext, @UuidParam() id: string) {
    return this.renderUser(ctx, await this.users.get(ctx.viewer, id));
  }

  @Post('users/:id/deactivate')
  @Html()
  async deactivate(@Page() ctx: SignedInContext, @UuidParam() id: string, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    try {
      await this.userAdmin.deactivate(ctx.viewer, id);
    } catch (e) {
      const errors = errorsOf(ctx, e);
      res.status(statusOf(e));
      return this.renderUser(ctx, await this.users.get(ctx.viewer, id), { errors, form: 'active' });
    }
    redirectTo(req, res, `/admin/users/${id}?notice=admin.userDeactivated`);
  }

  @Post('users/:id/reactivate')
  @Html()
  async reactivate(@Page() ctx: SignedInContext, @UuidParam() id: string, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    await this.userAdmin.reactivate(ctx.viewer, id);
    redirectTo(req, res, `/admin/users/${id}?notice=admin.userReactivated`);
  }

  /** Sets the temporary password the admin typed; the page shows it once (never in a URL) to hand to the user. */
  @Post('users/:id/reset-password')
  @Html()
  async resetPassword(@Page() ctx: SignedInContext, @UuidParam() id: string, @Body() body: Form, @Res({ passthrough: true }) res: Response) {
    const temporaryPassword = typeof body.temporaryPassword === 'string' && body.temporaryPassword !== '' ? body.temporaryPassword : undefined;
    try {
      const user = await this.userAdmin.resetPassword(ctx.viewer, id, await validateWith(ResetPasswordDto, { temporaryPassword }));
      return this.renderUser(ctx, user, { temporaryPassword });
    } catch (e) {
      const errors = errorsOf(ctx, e);
      res.status(statusOf(e));
      return this.renderUser(ctx, await this.users.get(ctx.viewer, id), { errors, form: 'reset' });
    }
  }

  @Post('users/:id/role')
  @Html()
  async changeRole(
    @Page() ctx: SignedInContext,
    @UuidParam() id: string,
    @Body() body: Form,
    @Req() req: ConsoleRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const raw = { role: formText(body.role), organisationId: formText(body.organisationId) };
    try {
      await this.userAdmin.changeRole(ctx.viewer, id, await validateWith(ChangeRoleDto, raw));
    } catch (e) {
      const errors = errorsOf(ctx, e);
      res.status(statusOf(e));
      return this.renderUser(ctx, await this.users.get(ctx.viewer, id), { errors, form: 'role', body });
    }
    redirectTo(req, res, `/admin/users/${id}?notice=admin.roleChanged`);
  }

  private async renderUser(
    ctx: SignedInContext,
    user: User,
    state: { errors?: FormErrors; form?: 'active' | 'reset' | 'role'; body?: Form; temporaryPassword?: string } = {},
  ) {
    const a = ctx.m.admin;
    const orgOptions = await this.organisationOptions(ctx);
    const roles: Option[] = ROLES.map((r) => ({ value: r, label: ctx.m.vocabulary.label(r) }));
    const err = (form: string) => (state.form === form ? state.errors : undefined);
    const rf = err('role')?.fields ?? {};
    return (
      <Layout ctx={ctx} title={a.userTitle(user.displayName)}>
        <p>
          <a href="/admin/users" safe>
            {a.backToUsers}
          </a>
        </p>
        {state.temporaryPassword ? (
          <div class="alert alert-ok temporary-password" role="status">
            <p safe>{a.passwordReset}</p>
            <p>
              <span safe>{a.temporaryPasswordOnce}</span> <code safe>{state.temporaryPassword}</code>
            </p>
          </div>
        ) : (
          ''
        )}
        <dl class="facts">
          <dt safe>{a.email}</dt>
          <dd safe>{user.email}</dd>
          <dt safe>{a.role}</dt>
          <dd safe>{ctx.m.vocabulary.label(user.role)}</dd>
          <dt safe>{a.organisation}</dt>
          <dd safe>{dash(user.organisation && nameOf(ctx, user.organisation))}</dd>
          <dt safe>{a.status}</dt>
          <dd class="user-status" safe>
            {user.active ? a.active : a.inactive}
          </dd>
          <dt safe>{a.mustChangePassword}</dt>
          <dd safe>{user.mustChangePassword ? ctx.m.common.yes : ctx.m.common.no}</dd>
          <dt safe>{a.lastLogin}</dt>
          <dd safe>{dash(formatDateTime(user.lastLoginAt, TZ, ctx.language))}</dd>
        </dl>
        <section aria-labelledby="h-active" class="card">
          <h2 id="h-active" safe>
            {a.activation}
          </h2>
          <FormError message={err('active')?.message} detail={err('active')?.detail} />
          <ActiveForm ctx={ctx} user={user} />
        </section>
        <section aria-labelledby="h-reset" class="card">
          <h2 id="h-reset" safe>
            {a.resetPassword}
          </h2>
          <FormError message={err('reset')?.message} detail={err('reset')?.detail} />
          <form method="post" action={`/admin/users/${user.id}/reset-password`} class="reset-form" data-confirm={a.confirmReset}>
            <CsrfField ctx={ctx} />
            <Field
              name="temporaryPassword"
              label={a.temporaryPassword}
              type="text"
              error={err('reset')?.fields.temporaryPassword}
              hint={a.temporaryPasswordHint}
              required
              attrs={{ autocomplete: 'off' }}
            />
            <button type="submit" safe>
              {a.resetPassword}
            </button>
          </form>
        </section>
        <section aria-labelledby="h-role" class="card">
          <h2 id="h-role" safe>
            {a.changeRole}
          </h2>
          <FormError message={err('role')?.message} detail={err('role')?.detail} />
          <form method="post" action={`/admin/users/${user.id}/role`} class="role-form">
            <CsrfField ctx={ctx} />
            <SelectField name="role" label={a.role} options={roles} value={val(state.body, 'role') ?? user.role} error={rf.role} required />
            <SelectField
              name="organisationId"
              label={a.organisation}
              options={orgOptions}
              value={val(state.body, 'organisationId') ?? user.organisationId ?? ''}
              empty={a.noOrganisation}
              error={rf.organisationId}
            />
            <button type="submit" safe>
              {a.changeRole}
            </button>
          </form>
        </section>
      </Layout>
    );
  }

  // ---- indicator reference values

  @Get('references')
  @Html()
  async references(@Page() ctx: SignedInContext) {
    return this.renderReferences(ctx);
  }

  @Post('references')
  @Html()
  async putReference(@Page() ctx: SignedInContext, @Body() body: Form, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    const yearText = formText(body.year);
    const raw = {
      effectiveHours: formNumber(body.effectiveHours),
      externalHours: formNumber(body.externalHours),
      fullUseHours: formNumber(body.fullUseHours),
      source: formText(body.source),
    };
    const formId = formText(body.form) ?? 'new';
    try {
      const year = yearText && /^\d{4}$/.test(yearText) ? Number(yearText) : NaN;
      if (!Number.isInteger(year) || year < 2000 || year > 2100) {
        throw badRequest('validation_failed', 'year must be a year from 2000 to 2100.', [{ field: 'year', message: 'year must be a year from 2000 to 2100' }]);
      }
      await this.indicatorsService.putReference(ctx.viewer, year, await validateWith(PutReferenceDto, raw));
    } catch (e) {
      const errors = errorsOf(ctx, e);
      res.status(statusOf(e));
      return this.renderReferences(ctx, { formId, body, errors });
    }
    redirectTo(req, res, `/admin/references?notice=admin.referenceSaved`);
  }

  private async renderReferences(ctx: SignedInContext, state: { formId?: string; body?: Form; errors?: FormErrors } = {}) {
    const a = ctx.m.admin;
    const { items } = await this.indicatorsService.listReferences(ctx.viewer);
    const h = (n: number) => formatNumber(n, ctx.language, 2);
    const form = (id: string, values: { year?: string; effectiveHours?: string; externalHours?: string; fullUseHours?: string; source?: string }) => {
      const mine = state.formId === id;
      const errors = mine ? state.errors : undefined;
      const f = errors?.fields ?? {};
      const v = (k: keyof typeof values) => (mine ? val(state.body, k) : values[k]);
      const input = (k: keyof typeof values, label: string, type = 'text') => (
        <div class={['field', f[k] ? 'has-error' : '']}>
          <label for={`${id}-${k}`} safe>
            {label}
          </label>
          <input
            id={`${id}-${k}`}
            name={k}
            type={type}
            value={v(k)}
            required
            inputmode={type === 'text' && k !== 'source' ? 'decimal' : undefined}
            aria-invalid={f[k] ? 'true' : undefined}
            aria-describedby={f[k] ? `${id}-${k}-error` : undefined}
          />
          {f[k] ? (
            <p id={`${id}-${k}-error`} class="field-error" role="alert" safe>
              {f[k]}
            </p>
          ) : (
            ''
          )}
        </div>
      );
      return (
        <form method="post" action="/admin/references" class="reference-form" id={`form-${id}`}>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="form" value={id} />
          <FormError message={errors?.message} detail={errors?.detail} />
          {id === 'new' ? input('year', a.year) : <input type="hidden" name="year" value={values.year} />}
          {input('effectiveHours', a.refEffective)}
          {input('externalHours', a.refExternal)}
          {input('fullUseHours', a.refFullUse)}
          {input('source', a.refSource)}
          <button type="submit" safe>
            {ctx.m.common.save}
          </button>
        </form>
      );
    };
    return (
      <Layout ctx={ctx} title={ctx.m.common.navReferences}>
        <p class="muted" safe>
          {a.referencesLead}
        </p>
        <Table
          caption={a.referenceList}
          headers={[a.year, a.refEffective, a.refExternal, a.refFullUse, a.refSource, a.updatedAt]}
          empty={ctx.m.common.nothingFound}
          rows={items.map((r) => (
            <tr id={`ref-${r.year}`}>
              <td safe>{String(r.year)}</td>
              <td class="num" safe>
                {h(r.effectiveHours)}
              </td>
              <td class="num" safe>
                {h(r.externalHours)}
              </td>
              <td class="num" safe>
                {h(r.fullUseHours)}
              </td>
              <td safe>{r.source}</td>
              <td safe>{formatDateTime(r.updatedAt, TZ, ctx.language)}</td>
            </tr>
          ))}
        />
        {items.map((r) => (
          <section aria-labelledby={`h-ref-${r.year}`} class="card">
            <h2 id={`h-ref-${r.year}`} safe>
              {a.editYear(r.year)}
            </h2>
            {form(`y${r.year}`, {
              year: String(r.year),
              effectiveHours: String(r.effectiveHours),
              externalHours: String(r.externalHours),
              fullUseHours: String(r.fullUseHours),
              source: r.source,
            })}
          </section>
        ))}
        <section aria-labelledby="h-ref-new" class="card">
          <h2 id="h-ref-new" safe>
            {a.newYear}
          </h2>
          {form('new', {})}
        </section>
      </Layout>
    );
  }
}

/** Deactivate or reactivate a user (one button; deactivation asks first). */
function ActiveForm(props: { ctx: SignedInContext; user: User }): JSX.Element {
  const a = props.ctx.m.admin;
  const { user } = props;
  return user.active ? (
    <form method="post" action={`/admin/users/${user.id}/deactivate`} class="inline deactivate-form" data-confirm={a.confirmDeactivate(user.email)}>
      <CsrfField ctx={props.ctx} />
      <button type="submit" class="danger" safe>
        {a.deactivate}
      </button>
    </form>
  ) : (
    <form method="post" action={`/admin/users/${user.id}/reactivate`} class="inline reactivate-form">
      <CsrfField ctx={props.ctx} />
      <button type="submit" class="secondary" safe>
        {a.reactivate}
      </button>
    </form>
  );
}
