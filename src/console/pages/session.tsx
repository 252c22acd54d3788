import { Role } from '../../common/auth/auth-user';
import { DEMO_PASSWORD } from '../../database/seed/demo-accounts';
import { PageContext } from '../page-context';
import { CsrfField, Field, FormError } from '../views/components';
import { Layout, roleLabel } from '../views/layout';

const DEMO_SIGN_IN: { email: string; role: Role }[] = [
  { email: 'sme@demo.local', role: 'enterprise' },
  { email: 'sme2@demo.local', role: 'enterprise' },
  { email: 'operator@demo.local', role: 'operator' },
  { email: 'official@demo.local', role: 'official' },
  { email: 'admin@demo.local', role: 'admin' },
];

export function SignInPage(props: {
  ctx: PageContext;
  email?: string;
  next?: string;
  error?: string | null;
  detail?: string | null;
  demoAccounts: boolean;
}): JSX.Element {
  const m = props.ctx.m.common;
  return (
    <Layout ctx={props.ctx} title={m.signInTitle}>
      <div class="card narrow">
        <p class="muted" safe>
          {m.signInLead}
        </p>
        <FormError message={props.error} detail={props.detail} />
        <form method="post" action="/sign-in" novalidate>
          <CsrfField ctx={props.ctx} />
          <input type="hidden" name="next" value={props.next ?? ''} />
          <Field name="email" label={m.email} type="email" value={props.email} required attrs={{ autocomplete: 'username', autofocus: true }} />
          <Field name="password" label={m.password} type="password" required attrs={{ autocomplete: 'current-password' }} />
          <div class="actions">
            <button type="submit" safe>
              {m.signInButton}
            </button>
          </div>
        </form>
        {props.demoAccounts ? (
          <div class="hint">
            <p safe>{m.demoHint(DEMO_PASSWORD)}</p>
            <ul>
              {DEMO_SIGN_IN.map((a) => (
                <li>
                  <code safe>{a.email}</code> — <span safe>{roleLabel(props.ctx.m, a.role)}</span>
                </li>
              ))}
            </ul>
          </div>
        ) : (
          ''
        )}
      </div>
    </Layout>
  );
}

export function ChangePasswordPage(props: { ctx: PageContext; errors?: Record<string, string>; error?: string | null; detail?: string | null }): JSX.Element {
  const m = props.ctx.m.common;
  return (
    <Layout ctx={props.ctx} title={m.changePasswordTitle}>
      <div class="card narrow">
        <p class="muted" safe>
          {m.changePasswordLead}
        </p>
        <FormError message={props.error} detail={props.detail} />
        <form method="post" action="/account/password" novalidate>
          <CsrfField ctx={props.ctx} />
          <Field
            name="currentPassword"
            label={m.currentPassword}
            type="password"
            required
            error={props.errors?.currentPassword}
            attrs={{ autocomplete: 'current-password' }}
          />
          <Field
            name="newPassword"
            label={m.newPassword}
            type="password"
            required
            error={props.errors?.newPassword}
            hint={m.newPasswordHint}
            attrs={{ autocomplete: 'new-password' }}
          />
          <div class="actions">
            <button type="submit" safe>
              {m.save}
            </button>
          </div>
        </form>
      </div>
    </Layout>
  );
}
