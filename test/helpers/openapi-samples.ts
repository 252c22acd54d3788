/**
 * A small generator of valid values from the document's JSON schemas: every property (required
 * and optional), `example` first, then the first `enum` value, then formats (uuid, date-time,
 * email, password), lengths and bounds. Date-times grow by an hour per value, so a `from` comes
 * before its `to`, a `startsAt` before its `endsAt`.
 */
type Json = Record<string, any>;

export class SampleGenerator {
  private hour = 0;
  private serial = 0;

  constructor(
    private readonly document: Json,
    private readonly base = new Date(Date.UTC(2031, 0, 6, 1, 0, 0)),
  ) {}

  resolve(schema: Json): Json {
    let s = schema;
    for (let i = 0; s?.$ref && i < 20; i++)
      s = s.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce((o: Json, k: string) => o[k], this.document);
    if (s?.allOf?.length === 1 && !s.properties)
      return { ...this.resolve(s.allOf[0]), ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'allOf')) };
    return s ?? {};
  }

  value(raw: Json, name = ''): unknown {
    const s = this.resolve(raw);
    if (s.example !== undefined) return s.example;
    if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
    switch (s.type) {
      case 'integer':
      case 'number':
        return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
      case 'boolean':
        return false;
      case 'array': {
        const items = this.resolve(s.items ?? {});
        const n = Math.max(s.minItems ?? 1, 1);
        if (Array.isArray(items.enum)) return items.enum.slice(0, n);
        return Array.from({ length: n }, () => this.value(items, name));
      }
      case 'object':
      case undefined:
        if (!s.properties) return {};
        return Object.fromEntries(Object.entries(s.properties as Json).map(([k, p]) => [k, this.value(p as Json, k)]));
      default:
        return this.string(s, name);
    }
  }

  /**
   * Values that break one declared constraint of the schema (each with what it breaks), for checking
   * that the server enforces what the document promises. Nested objects and arrays are left out.
   */
  violations(raw: Json): Array<{ breaks: string; value: unknown }> {
    const s = this.resolve(raw);
    const out: Array<{ breaks: string; value: unknown }> = [];
    if (Array.isArray(s.enum)) out.push({ breaks: 'enum', value: 'zz_not_listed' });
    if (s.type === 'integer') out.push({ breaks: 'type integer', value: (s.minimum ?? 1) + 0.5 });
    if (s.type === 'boolean') out.push({ breaks: 'type boolean', value: 'maybe' });
    if ((s.type === 'integer' || s.type === 'number') && typeof s.minimum === 'number') out.push({ breaks: `minimum ${s.minimum}`, value: s.minimum - 1 });
    if ((s.type === 'integer' || s.type === 'number') && typeof s.maximum === 'number') out.push({ breaks: `maximum ${s.maximum}`, value: s.maximum + 1 });
    if (s.type === 'string' && !s.enum) {
      if (s.format === 'uuid') out.push({ breaks: 'format uuid', value: 'not-a-uuid' });
      if (s.format === 'date-time') out.push({ breaks: 'format date-time', value: '2031-13-45 25:61' });
      if (s.format === 'email') out.push({ breaks: 'format email', value: 'not-an-e-mail' });
      if (s.pattern) out.push({ breaks: `pattern ${s.pattern}`, value: '!' });
      if (typeof s.maxLength === 'number') out.push({ breaks: `maxLength ${s.maxLength}`, value: 'x'.repeat(s.maxLength + 1) });
      if (typeof s.minLength === 'number' && s.minLength > 0) out.push({ breaks: `minLength ${s.minLength}`, value: 'x'.repeat(s.minLength - 1) });
    }
    return out;
  }

  private string(s: Json, name: string): string {
    this.serial++;
    switch (s.format) {
      case 'uuid':
        return `00000000-0000-4000-8000-${String(this.serial).padStart(12, '0')}`;
      case 'date-time':
        return new Date(this.base.getTime() + this.hour++ * 3_600_000).toISOString();
      case 'email':
        return `sample-${this.serial}-${Date.now()}@example.cn`;
      case 'password':
        return `violet-harbour-lantern-${this.serial}`;
    }
    if (s.pattern) throw new Error(`${name}: a string with a pattern (${s.pattern}) needs an \`example\` in the document`);
    const length = Math.max(s.minLength ?? 1, 1);
    return `sample${this.serial}`.padEnd(length, 'x').slice(0, Math.max(length, Math.min(s.maxLength ?? 20, 20)));
  }
}
