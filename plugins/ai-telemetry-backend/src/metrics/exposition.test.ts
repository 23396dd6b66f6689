import {
  escapeLabelValue,
  familyHeader,
  formatLabels,
  formatMilli,
  sampleLine,
} from './exposition';

describe('the text exposition format', () => {
  it('escapes backslash, double quote and line feed in label values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue('python')).toBe('python');
  });

  it('writes labels in the given order and a sample line with or without labels', () => {
    const labels = formatLabels([
      ['user_hash', 'abc'],
      ['language', 'c"'],
    ]);
    expect(labels).toBe('user_hash="abc",language="c\\""');
    expect(sampleLine('m_total', labels, '3')).toBe(
      'm_total{user_hash="abc",language="c\\""} 3\n',
    );
    expect(sampleLine('up', '', '1')).toBe('up 1\n');
  });

  it('writes thousandths as exact decimal values', () => {
    expect(formatMilli(0)).toBe('0');
    expect(formatMilli(12_000)).toBe('12');
    expect(formatMilli(10_125)).toBe('10.125');
    expect(formatMilli(1)).toBe('0.001');
    expect(formatMilli(86_400_000_000_123)).toBe('86400000000.123');
  });

  it('opens a family with HELP (escaped) and TYPE', () => {
    expect(familyHeader('m_total', 'counter', 'Lines\\seen\nnow')).toBe(
      '# HELP m_total Lines\\\\seen\\nnow\n# TYPE m_total counter\n',
    );
  });
});
