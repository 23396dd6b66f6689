import { quoteLabelValue, selector, userHashMatcher } from './promql';

describe('quoteLabelValue', () => {
  it('escapes quotes and backslashes and writes everything outside printable ASCII as \\u', () => {
    expect(quoteLabelValue('python')).toBe('"python"');
    expect(quoteLabelValue('"} or up{x="')).toBe('"\\"} or up{x=\\""');
    expect(quoteLabelValue('a\\b')).toBe('"a\\\\b"');
    expect(quoteLabelValue('line\nbreak')).toBe('"line\\u000abreak"');
    expect(quoteLabelValue('café')).toBe('"caf\\u00e9"');
    expect(quoteLabelValue('🙂')).toBe('"\\U0001f642"');
  });

  it('refuses a string that is not valid Unicode', () => {
    expect(() => quoteLabelValue('\ud800x')).toThrow(/lone surrogate/);
  });
});

describe('selector', () => {
  it('builds a selector and refuses names that are not names', () => {
    expect(
      selector('ai_copilot_feature_usage', [
        { label: 'feature', op: '=', value: 'chat' },
      ]),
    ).toBe('ai_copilot_feature_usage{feature="chat"}');
    expect(() => selector('up{x="y"}', [])).toThrow(/metric name/);
    expect(() =>
      selector('m', [{ label: 'a"b', op: '=', value: 'x' }]),
    ).toThrow(/label name/);
  });
});

describe('userHashMatcher', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);

  it('matches exactly the given pseudonyms, in a stable order', () => {
    expect(userHashMatcher([b, a, b])).toEqual({
      label: 'user_hash',
      op: '=~',
      value: `${a}|${b}`,
    });
  });

  it('refuses an empty team, which would match every series without the label', () => {
    expect(() => userHashMatcher([])).toThrow(/at least one/);
  });

  it('refuses anything that is not a pseudonym', () => {
    expect(() => userHashMatcher([a, '.*'])).toThrow(/64 lowercase hex/);
    expect(() => userHashMatcher([a.toUpperCase()])).toThrow(/hex/);
  });
});
