import {
  compileSettingPattern,
  hasNestedRepetition,
  valueTypeMismatch,
} from './settingValues';

describe('hasNestedRepetition', () => {
  it.each([
    ['(a+)+', true],
    ['(a*)*', true],
    ['^([a-z]+,)*$', true],
    ['((a)+)*', true],
    ['(a{2,})+', true],
    ['(?:x|y+)*', true],
    // Safe in practice but the same shape; refused on purpose (see compileSettingPattern).
    ['^[a-z]+(-[a-z]+)*$', true],
    ['^[a-z]+$', false],
    ['^(ab)+$', false],
    ['(a{2,5})+', false],
    ['(a?)+', false],
    ['([*+])+', false],
    ['(\\+)+', false],
    ['[(]a+[)]+', false],
    ['^(?:https?|ftp)://[^ ]+$', false],
  ])('%s → %s', (pattern, expected) => {
    expect(hasNestedRepetition(pattern)).toBe(expected);
  });
});

describe('compileSettingPattern', () => {
  it('compiles in unicode mode like JSON Schema', () => {
    expect(compileSettingPattern('^\\p{L}+$')).toEqual({
      ok: true,
      regex: /^\p{L}+$/u,
    });
    expect(compileSettingPattern('\\-')).toMatchObject({ ok: false });
  });

  it('refuses very long patterns', () => {
    expect(compileSettingPattern('a'.repeat(1001))).toEqual({
      ok: false,
      reason: 'is 1001 characters long (at most 1000)',
    });
  });
});

describe('valueTypeMismatch', () => {
  it.each([
    ['number', '42', undefined],
    ['number', '-0.5e-3', undefined],
    ['number', '042', 'is not a number'],
    ['number', '', 'is not a number'],
    ['number', 'NaN', 'is not a number'],
    ['boolean', 'true', undefined],
    ['boolean', 'True', 'is not "true" or "false"'],
    ['url', 'https://example.com/x', undefined],
    ['url', 'redis://cache:6379', undefined],
    ['url', '/relative', 'is not an absolute URL'],
    ['json', '[1, {"a": null}]', undefined],
    ['json', "{'a': 1}", 'is not valid JSON'],
    ['string', 'anything', undefined],
  ] as const)('%s %j → %s', (type, value, expected) => {
    expect(valueTypeMismatch(type, value)).toBe(expected);
  });
});
