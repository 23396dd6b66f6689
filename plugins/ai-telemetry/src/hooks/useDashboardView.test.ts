import { viewFromParams, viewToParams, viewToQuery } from './useDashboardView';

describe('dashboard views in the URL', () => {
  it('reads a named range and filters, and writes them back', () => {
    const params = new URLSearchParams('range=7d&language=go&assistant=cody');
    const view = viewFromParams(params);
    expect(view).toEqual({ range: '7d', language: 'go', assistant: 'cody' });
    expect(viewToParams(view).toString()).toBe(params.toString());
    expect(viewToQuery(view)).toEqual({
      range: '7d',
      language: 'go',
      assistant: 'cody',
    });
  });

  it('falls back to 30 days for a missing or unknown range', () => {
    expect(viewFromParams(new URLSearchParams('range=5y')).range).toBe('30d');
    expect(viewToParams({ range: '30d' }).toString()).toBe('');
  });

  it('sends a custom range as whole UTC days, the last one included', () => {
    const view = viewFromParams(
      new URLSearchParams('from=2026-11-01&to=2026-11-07'),
    );
    expect(view.range).toBe('custom');
    expect(viewToQuery(view)).toEqual({
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-08T00:00:00Z',
    });
  });
});
