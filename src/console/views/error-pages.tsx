import { Language } from '../i18n/language';
import { messagesFor } from '../i18n/messages';
import { PageContext } from '../page-context';
import { assetUrl } from '../assets';
import { Layout } from './layout';

/** An error page in the frame of the console: what happened and what to do, never a stack trace or JSON. */
export function ErrorPage(props: { ctx: PageContext; title: string; text: string; detail?: string }): JSX.Element {
  const m = props.ctx.m.common;
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <div class="card">
        <p safe>{props.text}</p>
        {props.detail ? (
          <p class="muted" safe>
            {props.detail}
          </p>
        ) : (
          ''
        )}
        <p class="muted" safe>
          {m.requestId(props.ctx.requestId)}
        </p>
        <p>
          <a href="/" safe>
            {m.goHome}
          </a>
        </p>
      </div>
    </Layout>
  );
}

/** The page for a form refused by the CSRF check (rendered by the middleware, before any session is read). */
export function renderCsrfRefusal(language: Language): string {
  const m = messagesFor(language).common;
  const page = (
    <html lang={language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title safe>{m.csrfTitle}</title>
        <link rel="stylesheet" href={assetUrl('console.css')} />
      </head>
      <body>
        <main id="main">
          <h1 safe>{m.csrfTitle}</h1>
          <div class="alert alert-error" role="alert">
            <p safe>{m.csrfText}</p>
          </div>
          <p>
            <a href="/" safe>
              {m.goHome}
            </a>
          </p>
        </main>
      </body>
    </html>
  ) as string;
  return `<!doctype html>${page}`;
}
