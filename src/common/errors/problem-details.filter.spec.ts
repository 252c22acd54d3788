import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable, loggableError, ProblemDetailsFilter } from './problem-details.filter';

const failed = (code: string) =>
  new QueryFailedError(
    'INSERT INTO users (email, password_hash) VALUES ($1, $2)',
    ['a@b.cn', '$argon2id$v=19$m=65536,t=3,p=4$secret'],
    Object.assign(new Error('boom'), { code, detail: 'Failing row contains ($argon2id$…)', table: 'users' }),
  );

describe('ProblemDetailsFilter', () => {
  const filter = new ProblemDetailsFilter();

  it.each(['22021', '22P02', '22001', '22003', '22007', '22008', '22012', '22P05'])('maps data exception %s to 400 invalid_value', (code) => {
    expect(filter.toProblem(failed(code))).toEqual(expect.objectContaining({ status: 400, code: 'invalid_value' }));
  });

  it('keeps constraint errors as 409 and anything else as a bare 500', () => {
    expect(filter.toProblem(failed('23505'))).toEqual(expect.objectContaining({ status: 409, code: 'duplicate' }));
    expect(filter.toProblem(failed('XX000'))).toEqual(expect.objectContaining({ status: 500, code: 'internal_error' }));
  });

  it('logs a failed statement without its parameters or pg detail', () => {
    const logged = loggableError(failed('XX000'));
    expect(logged).toEqual(
      expect.objectContaining({
        type: 'QueryFailedError',
        message: 'boom',
        code: 'XX000',
        query: expect.stringContaining('INSERT INTO users'),
        table: 'users',
      }),
    );
    expect(JSON.stringify(logged)).not.toContain('argon2');
    expect(JSON.stringify(logged)).not.toContain('a@b.cn');
  });
});

describe('isDatabaseUnavailable', () => {
  it('knows the ways a database outage reaches the app, and nothing else', () => {
    const released = Object.assign(new Error('Database connection provided by a query runner was already released'), {
      name: 'QueryRunnerProviderAlreadyReleasedError',
    });
    for (const e of [
      released,
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('x'), { code: '08006' }),
      new Error('Connection terminated unexpectedly'),
    ])
      expect([e.message, isDatabaseUnavailable(e)]).toEqual([e.message, true]);
    for (const e of [new Error('boom'), Object.assign(new Error('duplicate key'), { code: '23505' }), null, undefined, 'text'])
      expect([String(e), isDatabaseUnavailable(e)]).toEqual([String(e), false]);
  });
});
