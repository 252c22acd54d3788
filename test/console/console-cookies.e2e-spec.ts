import { createTestApp, TestApp } from '../helpers/test-app';

/** The session cookie's attributes over plain HTTP and behind an HTTPS proxy (no browser needed). */
describe('console: session cookie attributes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const cookiesOf = (res: { headers: Record<string, unknown> }): string[] => (res.headers['set-cookie'] as string[] | undefined) ?? [];

  async function signIn(headers: Record<string, string>) {
    const form = await t.rawHttp().get('/sign-in').set(headers);
    expect(form.status).toBe(200);
    expect(form.headers['content-type']).toMatch(/^text\/html/);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const jar = cookiesOf(form).map((c) => c.split(';')[0]);
    const res = await t
      .rawHttp()
      .post('/sign-in')
      .set(headers)
      .set('Cookie', jar.join('; '))
      .type('form')
      .send({ _csrf: token, email: 'sme@demo.local', password: 'demo-pass-2024' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sme/catalogue');
    return cookiesOf(res).find((c) => c.startsWith('pb_session='))!;
  }

  it('is httpOnly and SameSite=Lax, and not Secure over plain HTTP', async () => {
    const cookie = await signIn({});
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('is Secure behind an HTTPS proxy (X-Forwarded-Proto from a trusted proxy)', async () => {
    const cookie = await signIn({ 'X-Forwarded-Proto': 'https' });
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/HttpOnly/);
  });

  it('refuses a sign-in form posted without the CSRF cookie and token (a cross-site form), and opens no session', async () => {
    const before = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM auth_sessions`);
    const res = await t.rawHttp().post('/sign-in').type('form').send({ email: 'sme@demo.local', password: 'demo-pass-2024' });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(cookiesOf(res).some((c) => c.startsWith('pb_session='))).toBe(false);
    expect(await t.sql(`SELECT count(*) AS n FROM auth_sessions`)).toEqual(before);
  });

  it('serves the assets from its own origin, gzipped, cached for a year under content-hashed URLs', async () => {
    const page = await t.rawHttp().get('/sign-in');
    const urls = [...page.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) {
      const res = await t.rawHttp().get(url).set('Accept-Encoding', 'gzip');
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-encoding']).toBe('gzip');
    }
    expect((await t.rawHttp().get('/assets/000000000000/htmx.min.js')).status).toBe(404);
  });
});
