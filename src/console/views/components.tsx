import type { PropsWithChildren } from '@kitajs/html';
import { PageContext } from '../page-context';

/**
 * One form field with its label and, beside it, its error in the user's language. The id is `f-<name>` unless given
 * (a page with several forms that share a field name gives each its own).
 */
export function Field(props: {
  id?: string;
  name: string;
  label: string;
  type?: string;
  value?: string | number | null;
  error?: string;
  required?: boolean;
  hint?: string;
  attrs?: Record<string, string | number | boolean>;
}): JSX.Element {
  const id = props.id ?? `f-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={['field', props.error ? 'has-error' : '']}>
      <label for={id} safe>
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value === null || props.value === undefined ? undefined : String(props.value)}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy}
        {...props.attrs}
      />
      {props.hint ? (
        <small id={`${id}-hint`} class="hint" safe>
          {props.hint}
        </small>
      ) : (
        ''
      )}
      {props.error ? (
        <p id={`${id}-error`} class="field-error" role="alert" safe>
          {props.error}
        </p>
      ) : (
        ''
      )}
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField(props: {
  id?: string;
  name: string;
  label: string;
  options: Option[];
  value?: string | null;
  error?: string;
  required?: boolean;
  empty?: string;
}): JSX.Element {
  const id = props.id ?? `f-${props.name}`;
  return (
    <div class={['field', props.error ? 'has-error' : '']}>
      <label for={id} safe>
        {props.label}
      </label>
      <select
        id={id}
        name={props.name}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      >
        {props.empty !== undefined ? (
          <option value="" safe>
            {props.empty}
          </option>
        ) : (
          ''
        )}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value} safe>
            {o.label}
          </option>
        ))}
      </select>
      {props.error ? (
        <p id={`${id}-error`} class="field-error" role="alert" safe>
          {props.error}
        </p>
      ) : (
        ''
      )}
    </div>
  );
}

/** The hidden CSRF field every POST form carries. */
export const CsrfField = (props: { ctx: PageContext }): JSX.Element => <input type="hidden" name="_csrf" value={props.ctx.csrfToken} />;

/** A form-level message (the rule a service refused the request with), above the form's fields. */
export function FormError(props: { message?: string | null; detail?: string | null }): JSX.Element {
  if (!props.message) return '';
  return (
    <div class="alert alert-error" role="alert">
      <p safe>{props.message}</p>
      {props.detail && props.detail !== props.message ? (
        <p class="detail" safe>
          {props.detail}
        </p>
      ) : (
        ''
      )}
    </div>
  );
}

export const Notice = (props: { message?: string }): JSX.Element =>
  props.message ? (
    <div class="alert alert-ok" role="status" safe>
      {props.message}
    </div>
  ) : (
    ''
  );

/** A data table: the header cells, then rows of cells (already rendered). */
export function Table(props: PropsWithChildren<{ caption?: string; headers: string[]; empty: string; rows: JSX.Element[] }>): JSX.Element {
  return (
    <div class="table-wrap">
      <table>
        {props.caption ? <caption safe>{props.caption}</caption> : ''}
        <thead>
          <tr>
            {props.headers.map((h) => (
              <th scope="col" safe>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.length > 0 ? (
            props.rows
          ) : (
            <tr>
              <td colspan={String(props.headers.length)} class="empty" safe>
                {props.empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Previous / next links for a `limit`/`offset` list, keeping the other query parameters. */
export function Pager(props: { ctx: PageContext; total: number; limit: number; offset: number; query: Record<string, string | undefined> }): JSX.Element {
  const { total, limit, offset } = props;
  if (total === 0) return '';
  const href = (o: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(props.query)) if (v !== undefined && v !== '' && k !== 'offset') q.set(k, v);
    q.set('offset', String(o));
    return `${props.ctx.path}?${q.toString()}`;
  };
  return (
    <nav class="pager" aria-label={props.ctx.m.common.pageOf(offset + 1, Math.min(total, offset + limit), total)}>
      <span safe>{props.ctx.m.common.pageOf(offset + 1, Math.min(total, offset + limit), total)}</span>
      {offset > 0 ? (
        <a href={href(Math.max(0, offset - limit))} safe>
          {props.ctx.m.common.previous}
        </a>
      ) : (
        ''
      )}
      {offset + limit < total ? (
        <a href={href(offset + limit)} safe>
          {props.ctx.m.common.next}
        </a>
      ) : (
        ''
      )}
    </nav>
  );
}

/** A booking state (or any vocabulary value) as a coloured badge with its translated label. */
export const Badge = (props: { ctx: PageContext; value: string }): JSX.Element => (
  <span class={`badge badge-${props.value}`} safe>
    {props.ctx.m.vocabulary.label(props.value)}
  </span>
);

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
