import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
} from '@fawkes/plugin-ai-telemetry-common';
import { parsePanelRequest, parseTime } from './params';
import { DAY, PanelParameterError } from './window';

const options = {
  languages: DEFAULT_LANGUAGES,
  assistants: DEFAULT_ASSISTANTS,
  retentionDays: 90,
  now: Date.UTC(2026, 10, 28, 13) / 1000,
};

function fieldOf(query: Record<string, unknown>): string | undefined {
  try {
    parsePanelRequest(query, options);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PanelParameterError);
    return (error as PanelParameterError).field;
  }
}

describe('parsePanelRequest', () => {
  it('accepts a named range with filters from the allow-lists', () => {
    const request = parsePanelRequest(
      { range: '90d', language: 'python', assistant: 'claude-code' },
      options,
    );
    expect(request.filters).toEqual({
      language: 'python',
      assistant: 'claude-code',
    });
    expect(request.window.end - request.window.start).toBe(90 * DAY);
  });

  it('uses 30 days when no range is given', () => {
    const { window } = parsePanelRequest({}, options);
    expect(window.end - window.start).toBe(30 * DAY);
  });

  it('accepts from and to as ISO 8601 or unix seconds', () => {
    const iso = parsePanelRequest(
      { from: '2026-11-01T00:00:00Z', to: '2026-11-08T00:00:00Z' },
      options,
    );
    const unix = parsePanelRequest(
      { from: String(Date.UTC(2026, 10, 1) / 1000), to: '1794096000' },
      options,
    );
    expect(iso.window).toEqual(unix.window);
  });

  it('names the field of every refused value', () => {
    expect(fieldOf({ range: '1y' })).toBe('range');
    expect(fieldOf({ language: 'cobol' })).toBe('language');
    expect(fieldOf({ language: 'Python' })).toBe('language');
    expect(fieldOf({ assistant: '"} or up{x="' })).toBe('assistant');
    expect(fieldOf({ language: ['python', 'go'] })).toBe('language');
    expect(fieldOf({ from: '2026-11-01' })).toBe('to');
    expect(fieldOf({ range: '7d', from: '1', to: '2' })).toBe('range');
    expect(fieldOf({ from: 'yesterday', to: 'today' })).toBe('from');
    expect(fieldOf({ from: '1794614400', to: '1794096000' })).toBe('to');
    expect(fieldOf({ langauge: 'python' })).toBe('langauge');
    expect(fieldOf({ language: 'x'.repeat(65) })).toBe('language');
  });
});

describe('parseTime', () => {
  it('requires a time zone on an ISO time, so that the server clock does not decide', () => {
    expect(parseTime('t', '2026-11-01T10:00:00+02:00')).toBe(
      Date.UTC(2026, 10, 1, 8) / 1000,
    );
    expect(() => parseTime('t', '2026-11-01T10:00:00')).toThrow(/ISO 8601/);
  });

  it.each([
    ['abc'],
    [-1],
    [1e21],
    [Number.NaN],
    [''],
    [['1']],
    [{ t: 1 }],
    [null],
    ['9'.repeat(100)],
  ])(
    'answers %j with an InputError naming the field (issue 13: it answered 500)',
    value => {
      expect(() => parseTime('start', value)).toThrow(
        expect.objectContaining({
          name: 'InputError',
          message: expect.stringMatching(/^Invalid start: start /),
        }),
      );
    },
  );
});
