import { USER_HASH_LABEL } from '@fawkes/plugin-ai-telemetry-common';
import { deployPath } from './paths';
import { readRecordingRules } from './prometheus';

// The dashboard reads these series as organisation-level data: they must exist, follow the
// naming the dashboard test relies on, and never keep the pseudonym.
describe('recording rules in deploy/prometheus/rules', () => {
  const rules = [
    ...readRecordingRules(deployPath('prometheus', 'rules')).values(),
  ];

  it('exist and are named ai_telemetry:<metric>:<operation>', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.name).toMatch(/^ai_telemetry:[a-z0-9_]+:[a-z0-9_]+$/);
    }
  });

  it('aggregate user_hash away in every output', () => {
    for (const rule of rules) {
      expect({ rule: rule.name, labels: rule.outputLabels }).toEqual({
        rule: rule.name,
        labels: expect.any(Array),
      });
      expect(rule.outputLabels).not.toContain(USER_HASH_LABEL);
    }
  });
});
