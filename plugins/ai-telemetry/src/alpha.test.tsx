import plugin from './alpha';
import * as legacy from './index';

describe('the plugin for both frontend systems', () => {
  it('gives the new frontend system the page, the Group tab, the User card, the settings tab and the API', () => {
    const ids = [
      'api:ai-telemetry',
      'page:ai-telemetry',
      'entity-content:ai-telemetry/team',
      'entity-card:ai-telemetry/opt-in',
      'sub-page:ai-telemetry/settings',
    ] as const;
    for (const id of ids) {
      expect(plugin.getExtension(id)).toMatchObject({
        $$type: '@backstage/ExtensionDefinition',
      });
    }
    expect(
      plugin.getExtension('sub-page:ai-telemetry/settings').toString(),
    ).toContain('page:user-settings');
  });

  it('exports the legacy plugin and its extensions from the package root', () => {
    expect(legacy.aiTelemetryPlugin.getId()).toBe('ai-telemetry');
    for (const extension of [
      legacy.AiTelemetryPage,
      legacy.EntityAiTelemetryContent,
      legacy.AiTelemetrySettings,
      legacy.EntityAiTelemetryOptInCard,
    ]) {
      expect(typeof extension).toBe('function');
    }
  });
});
