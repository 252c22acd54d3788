import { Body, Get, Post, Query, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';
import { unlink } from 'node:fs/promises';
import { diskStorage } from 'multer';
import { FacilitiesService } from '../../catalogue/facilities.service';
import { ResourcesService } from '../../catalogue/resources.service';
import { actorOf } from '../../common/auth/auth-user';
import { badRequest } from '../../common/errors/domain-error';
import { UuidParam } from '../../common/validation/uuid-param';
import { SACCT_MAX_BYTES, SacctImportService } from '../../usage/sacct-import.service';
import { SlurmMappingsService } from '../../usage/slurm-mappings.service';
import { SACCT_UPLOAD_DIR } from '../../usage/usage.controller';
import { CorrectUsageDto, SacctImportDto, SlurmMappingQueryDto, UsageImportQueryDto, UsageQueryDto } from '../../usage/usage.dto';
import type { SacctImportResponse, UsageRecordResponse } from '../../usage/usage.responses';
import { UsageService } from '../../usage/usage.service';
import { redirectTo } from '../console-exception.filter';
import { ConsoleRequest } from '../console.guard';
import { ConsoleController, ForRoles, Html, Page } from '../console.decorators';
import { errorsOf, FormErrors, formNumber, formText, localInputToIso, statusOf, validateWith } from '../forms';
import type { SignedInContext } from '../page-context';
import { isoToLocalInput } from '../time-input';
import { Facts, Field, FormError, Pager, SelectField, Table, CsrfField } from '../views/components';
import { formatDateTime, formatNumber, nameOf } from '../views/format';
import { DEFAULT_TIME_ZONE } from '../../catalogue/catalogue.constants';
import { Layout } from '../views/layout';
import { ownFacilities, ownResources } from './operator-views';
import { addDays } from '../calendar-days';

type Form = Record<string, unknown>;

/** The operator's usage records, their corrections, and the Slurm accounting import (role operator). */
@ConsoleController('operator')
@ForRoles('operator')
export class OperatorUsagePagesController {
  constructor(
    private readonly usage: UsageService,
    private readonly imports: SacctImportService,
    private readonly mappings: SlurmMappingsService,
    private readonly resources: ResourcesService,
    private readonly facilities: FacilitiesService,
  ) {}

  @Get('usage')
  @Html()
  async list(@Page() ctx: SignedInContext, @Query() query: Record<string, unknown>) {
    const o = ctx.m.operator;
    const own = await ownResources(this.resources, ctx);
    const tz = own[0]?.facility.timeZone ?? DEFAULT_TIME_ZONE;
    const resourceId = formText(query.resource);
    const from = formText(query.from);
    const to = formText(query.to);
    let errors: FormErrors | undefined;
    let page: Awaited<ReturnType<UsageService['list']>> | undefined;
    try {
      const q = await validateWith(
        UsageQueryDto,
        {
          resourceId,
          from: from && /^\d{4}-\d{2}-\d{2}$/.test(from) ? localInputToIso(`${from}T00:00`, tz) : from,
          to: to && /^\d{4}-\d{2}-\d{2}$/.test(to) ? localInputToIso(`${addDays(to, 1)}T00:00`, tz) : to,
          includeSuperseded: query.superseded === 'on' ? 'true' : undefined,
          limit: '50',
          offset: formText(query.offset),
        },
        'query',
      );
      page = await this.usage.list(ctx.viewer, q);
    } catch (e) {
      errors = errorsOf(ctx, e);
    }
    const tzOf = (r: UsageRecordResponse) => own.find((x) => x.id === r.resourceId)?.facility.timeZone ?? tz;
    const nameOfResource = (id: string) => {
      const r = own.find((x) => x.id === id);
      return r ? nameOf(ctx, r) : id;
    };
    return (
      <Layout ctx={ctx} title={ctx.m.common.navUsage}>
        <form method="get" action="/operator/usage" class="filters">
          <SelectField
            name="resource"
            label={o.resource}
            empty={ctx.m.common.all}
            value={resourceId}
            options={own.map((r) => ({ value: r.id, label: `${nameOf(ctx, r)} · ${nameOf(ctx, r.facility)}` }))}
            error={errors?.fields.resourceId}
          />
          <Field name="from" type="date" label={o.periodFrom} value={from} error={errors?.fields.from} />
          <Field name="to" type="date" label={o.periodTo} value={to} error={errors?.fields.to} />
          <div class="field">
            <label>
              <input type="checkbox" name="superseded" checked={query.superseded === 'on'} /> <span safe>{o.includeSuperseded}</span>
            </label>
          </div>
          <button type="submit" safe>
            {o.show}
          </button>
        </form>
        {errors ? <FormError message={errors.message} detail={errors.detail} /> : ''}
        {page ? (
          <>
            <p class="muted" safe>
              {o.usageTotals(
                page.totals.records,
                Object.entries(page.totals.unitHours)
                  .map(([unit, h]) => `${formatNumber(h as number, ctx.language, 2)} ${ctx.m.vocabulary.label(unit)}`)
                  .join(' · ') || '0',
              )}
            </p>
            <Table
              headers={[o.resource, o.enterprise, o.period, o.unitsUsedShort, o.unitHours, o.source, o.note, o.actions]}
              empty={ctx.m.common.nothingFound}
              rows={page.items.map((r) => {
                const org = page.totals.byOrganisation.find((x) => x.organisationId === r.organisationId);
                return (
                  <tr class={r.superseded ? 'superseded' : ''}>
                    <td safe>{nameOfResource(r.resourceId)}</td>
                    <td safe>{org ? nameOf(ctx, { nameZh: org.nameZh, nameEn: org.nameEn }) : r.internal ? o.internalUse : r.organisationId}</td>
                    <td safe>{`${formatDateTime(r.startsAt, tzOf(r), ctx.language)} – ${formatDateTime(r.endsAt, tzOf(r), ctx.language)}`}</td>
                    <td class="num" safe>
                      {r.unitsUsed === null ? '—' : String(r.unitsUsed)}
                    </td>
                    <td class="num" safe>
                      {`${formatNumber(r.unitHours, ctx.language, 4)} ${ctx.m.vocabulary.label(r.unit)}`}
                    </td>
                    <td safe>{`${o.sourceLabel(r.source)}${r.superseded ? ` · ${o.supersededMark}` : ''}`}</td>
                    <td safe>{r.note ?? ''}</td>
                    <td>
                      {r.superseded ? (
                        ''
                      ) : (
                        <a href={`/operator/usage/${r.id}/correct`} safe>
                          {o.correct}
                        </a>
                      )}
                    </td>
                  </tr>
                );
              })}
            />
            <Pager ctx={ctx} total={page.total} limit={page.limit} offset={page.offset} query={{ resource: resourceId, from, to }} />
          </>
        ) : (
          ''
        )}
      </Layout>
    );
  }

  @Get('usage/:id/correct')
  @Html()
  async correctForm(@Page() ctx: SignedInContext, @UuidParam() id: string) {
    return this.renderCorrection(ctx, await this.usage.get(ctx.viewer, id));
  }

  @Post('usage/:id/correct')
  @Html()
  async correct(
    @Page() ctx: SignedInContext,
    @UuidParam() id: string,
    @Body() body: Form,
    @Req() req: ConsoleRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const record = await this.usage.get(ctx.viewer, id);
    const tz = await this.timeZoneOf(ctx, record.resourceId);
    try {
      const dto = await validateWith(CorrectUsageDto, {
        startsAt: localInputToIso(formText(body.startsAt), tz),
        endsAt: localInputToIso(formText(body.endsAt), tz),
        unitsUsed: formNumber(body.unitsUsed),
        unitHours: formNumber(body.unitHours),
        note: formText(body.note),
      });
      await this.usage.correct(ctx.viewer, id, dto);
    } catch (e) {
      res.status(statusOf(e));
      return this.renderCorrection(ctx, record, body, errorsOf(ctx, e));
    }
    redirectTo(req, res, `/operator/usage?resource=${record.resourceId}&notice=operator.corrected`);
  }

  private async timeZoneOf(ctx: SignedInContext, resourceId: string): Promise<string> {
    return (await this.resources.get(ctx.viewer, resourceId)).facility.timeZone;
  }

  private async renderCorrection(ctx: SignedInContext, r: UsageRecordResponse, body?: Form, errors?: FormErrors) {
    const o = ctx.m.operator;
    const resource = await this.resources.get(ctx.viewer, r.resourceId);
    const tz = resource.facility.timeZone;
    const value = (k: string, dflt: string) => (body && typeof body[k] === 'string' ? body[k] : dflt);
    return (
      <Layout ctx={ctx} title={o.correctTitle}>
        <Facts
          items={[
            [o.resource, nameOf(ctx, resource)],
            [o.period, `${formatDateTime(r.startsAt, tz, ctx.language)} – ${formatDateTime(r.endsAt, tz, ctx.language)}`],
            [o.unitsUsedShort, r.unitsUsed === null ? '—' : String(r.unitsUsed)],
            [o.unitHours, `${formatNumber(r.unitHours, ctx.language, 4)} ${ctx.m.vocabulary.label(r.unit)}`],
            [o.source, o.sourceLabel(r.source)],
          ]}
        />
        <p class="hint" safe>
          {o.correctLead}
        </p>
        <form method="post" action={`/operator/usage/${r.id}/correct`}>
          <CsrfField ctx={ctx} />
          <FormError message={errors?.message} detail={errors?.detail} />
          <Field
            name="startsAt"
            type="datetime-local"
            label={o.actualStart}
            value={value('startsAt', isoToLocalInput(r.startsAt, tz))}
            error={errors?.fields.startsAt}
          />
          <Field name="endsAt" type="datetime-local" label={o.actualEnd} value={value('endsAt', isoToLocalInput(r.endsAt, tz))} error={errors?.fields.endsAt} />
          <Field
            name="unitsUsed"
            type="number"
            label={o.unitsUsedShort}
            value={value('unitsUsed', r.unitsUsed === null ? '' : String(r.unitsUsed))}
            error={errors?.fields.unitsUsed}
          />
          <Field name="unitHours" label={o.unitHoursOptional} value={value('unitHours', '')} error={errors?.fields.unitHours} hint={o.unitHoursHint} />
          <Field name="note" label={o.correctionReason} value={value('note', '')} error={errors?.fields.note} required />
          <div class="actions">
            <button type="submit" safe>
              {o.saveCorrection}
            </button>
            <a href="/operator/usage" safe>
              {ctx.m.common.cancel}
            </a>
          </div>
        </form>
      </Layout>
    );
  }

  // ---- Slurm

  @Get('slurm')
  @Html()
  async slurm(@Page() ctx: SignedInContext) {
    return this.renderSlurm(ctx);
  }

  @Post('slurm')
  @Html()
  @UseInterceptors(
    FileInterceptor('file', {
      storage: diskStorage({ destination: SACCT_UPLOAD_DIR }),
      limits: { fileSize: SACCT_MAX_BYTES, files: 1, fields: 10, fieldSize: 4096 },
    }),
  )
  async upload(
    @Page() ctx: SignedInContext,
    @Body() body: Form,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      const dto = await validateWith(SacctImportDto, { facilityId: formText(body?.facilityId), cluster: formText(body?.cluster) });
      if (!file || file.size === 0)
        throw badRequest('validation_failed', 'The multipart field `file` (sacct output) is required.', [{ field: 'file', message: 'file is required' }]);
      const result = await this.imports.importFile(actorOf(ctx.viewer), ctx.viewer, {
        facilityId: dto.facilityId,
        cluster: dto.cluster,
        fileName: file.originalname,
        path: file.path,
      });
      res.status(201);
      return this.renderSlurm(ctx, { result, body });
    } catch (e) {
      res.status(statusOf(e));
      return this.renderSlurm(ctx, { errors: errorsOf(ctx, e), body });
    } finally {
      if (file?.path) await unlink(file.path).catch(() => undefined);
    }
  }

  private async renderSlurm(ctx: SignedInContext, state: { result?: SacctImportResponse; errors?: FormErrors; body?: Form } = {}) {
    const o = ctx.m.operator;
    const facilities = await ownFacilities(this.facilities, ctx);
    const resources = await ownResources(this.resources, ctx);
    const maps = await this.mappings.list(ctx.viewer, await validateWith(SlurmMappingQueryDto, { limit: '200' }, 'query'));
    const recent = await this.imports.list(ctx.viewer, await validateWith(UsageImportQueryDto, { limit: '10' }, 'query'));
    const { result, errors, body } = state;
    const facilityName = (id: string) => {
      const f = facilities.find((x) => x.id === id);
      return f ? nameOf(ctx, f) : id;
    };
    const tzOf = (id: string) => facilities.find((x) => x.id === id)?.timeZone ?? DEFAULT_TIME_ZONE;
    return (
      <Layout ctx={ctx} title={ctx.m.common.navSlurm}>
        <p class="hint" safe>
          {o.slurmLead}
        </p>
        <form method="post" action={`/operator/slurm?_csrf=${encodeURIComponent(ctx.csrfToken)}`} enctype="multipart/form-data" class="card">
          <FormError message={errors?.message} detail={errors?.detail} />
          <SelectField
            name="facilityId"
            label={o.facility}
            required
            value={typeof body?.facilityId === 'string' ? body.facilityId : undefined}
            options={facilities.map((f) => ({ value: f.id, label: nameOf(ctx, f) }))}
            error={errors?.fields.facilityId}
          />
          <Field
            name="cluster"
            label={o.cluster}
            required
            value={typeof body?.cluster === 'string' ? body.cluster : ''}
            hint={o.clusterHint}
            error={errors?.fields.cluster}
          />
          <Field name="file" type="file" label={o.sacctFile} required error={errors?.fields.file} hint={o.sacctFileHint} />
          <button type="submit" safe>
            {o.upload}
          </button>
        </form>
        {result ? (
          <section class="card import-result" aria-labelledby="import-result">
            <h2 id="import-result" safe>
              {o.importResult(result.fileName)}
            </h2>
            <Facts
              items={[
                [o.linesRead, String(result.lines)],
                [o.imported, String(result.imported)],
                [o.duplicates, String(result.duplicates)],
                [o.rejectedCount, String(result.rejected)],
                [o.steps, String(result.steps)],
                [o.pendingJobs, String(result.pending)],
                [o.runningJobs, result.running > 0 ? `${result.running} (${result.runningJobIds.join(', ')})` : '0'],
                [o.zeroJobs, String(result.zero)],
                [
                  o.unmapped,
                  result.unmapped.jobs > 0
                    ? `${result.unmapped.jobs} · ${[...result.unmapped.accounts.map((a) => `${o.account} ${a.name} (${a.jobs})`), ...result.unmapped.partitions.map((p) => `${o.partition} ${p.name} (${p.jobs})`)].join(', ')}`
                    : '0',
                ],
                [
                  o.unitHours,
                  Object.entries(result.unitHours)
                    .map(([u, h]) => `${formatNumber(h as number, ctx.language, 4)} ${ctx.m.vocabulary.label(u)}`)
                    .join(' · ') || '0',
                ],
              ]}
            />
            <Table
              caption={o.rejectedLines}
              headers={[o.line, o.reason]}
              empty={o.noRejected}
              rows={result.rejectedLines.map((l) => (
                <tr>
                  <td class="num" safe>
                    {String(l.line)}
                  </td>
                  <td safe>{l.reason}</td>
                </tr>
              ))}
            />
          </section>
        ) : (
          ''
        )}
        <h2 safe>{o.mappingsTitle}</h2>
        <Table
          headers={[o.facility, o.cluster, o.mappingKind, o.slurmName, o.mapsTo]}
          empty={o.noMappings}
          rows={maps.items.map((m) => {
            const res = m.resourceId ? resources.find((r) => r.id === m.resourceId) : undefined;
            return (
              <tr>
                <td safe>{facilityName(m.facilityId)}</td>
                <td safe>{m.cluster}</td>
                <td safe>{m.kind === 'account' ? o.account : o.partition}</td>
                <td safe>{m.name}</td>
                <td safe>{res ? nameOf(ctx, res) : (m.organisationId ?? m.resourceId ?? '')}</td>
              </tr>
            );
          })}
        />
        <h2 safe>{o.recentImports}</h2>
        <Table
          headers={[o.importedAt, o.facility, o.sacctFile, o.imported, o.duplicates, o.rejectedCount]}
          empty={ctx.m.common.nothingFound}
          rows={recent.items.map((i) => (
            <tr>
              <td safe>{formatDateTime(i.importedAt, tzOf(i.facilityId), ctx.language)}</td>
              <td safe>{facilityName(i.facilityId)}</td>
              <td safe>{i.fileName}</td>
              <td class="num" safe>
                {String(i.imported)}
              </td>
              <td class="num" safe>
                {String(i.duplicates)}
              </td>
              <td class="num" safe>
                {String(i.rejected)}
              </td>
            </tr>
          ))}
        />
      </Layout>
    );
  }
}
