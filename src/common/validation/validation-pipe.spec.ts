import { findUnstorableStrings, unstorableCharacter, validationFailed } from './validation-pipe';

describe('findUnstorableStrings', () => {
  it('names every NUL and lone surrogate by its path, keys included', () => {
    expect(findUnstorableStrings({ a: { b: [{ c: 'x\u0000' }, 'ok', '\ud800'] }, 'k\u0000': 1, fine: '\ud83d\ude80' }, '')).toEqual([
      { field: 'a.b[0].c', message: 'a.b[0].c must not contain the NUL character (U+0000)' },
      { field: 'a.b[2]', message: 'a.b[2] must not contain an unpaired surrogate (invalid UTF-16)' },
      { field: 'body', message: 'body has a property name with a character that cannot be stored' },
    ]);
  });

  it('names a query or path parameter by its own name, and refuses deep nesting once per top-level field', () => {
    expect(findUnstorableStrings('a\u0000b', 'q')).toEqual([{ field: 'q', message: 'q must not contain the NUL character (U+0000)' }]);
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(findUnstorableStrings({ list: deep }, '')).toEqual([{ field: 'list', message: 'list is nested more than 32 levels deep' }]);
  });

  it('accepts surrogate pairs, and refuses a low surrogate alone', () => {
    expect(unstorableCharacter('王工 \ud83d\ude80')).toBeNull();
    expect(unstorableCharacter('\udc00x')).toMatch(/surrogate/);
    expect(unstorableCharacter('x\ud83d')).toMatch(/surrogate/);
  });
});

describe('validationFailed', () => {
  it('counts distinct fields, not messages', () => {
    const e = validationFailed([
      { field: 'a', message: 'a one' },
      { field: 'a', message: 'a two' },
      { field: 'b', message: 'b one' },
    ]);
    expect(e.message).toBe('The request has 2 invalid fields: a, b.');
    expect(validationFailed([{ field: 'id', message: 'id must be a UUID' }]).message).toBe('The request has 1 invalid field: id.');
  });
});
