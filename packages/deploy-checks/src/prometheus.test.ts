import { USER_HASH_LABEL } from '@fawkes/plugin-ai-telemetry-common';
import { deployPath } from './paths';
import { readRecordingRules } from './prometheus';

// The dashboard reads these series as organisation-level data: they must exist, follow the
// naming the dashboard test relies on, and never keep the pseudonym. The one exception is the
// per-developer daily rules of ai-telemetry-per-user.yml (docs/metric-contract.md), which the
// backend reads for figures about people and erasure deletes with the counters: they are named
// as such, and nothing else is. Beside them, that file's group records the organisation's daily
// usage (ai_telemetry:<metric>:increase1d), which keeps no pseudonym.
const PER_USER_FILE = 'ai-telemetry-per-user.yml';
const PER_USER_NAME =
  /^ai_telemetry:[a-z0-9_]+_per_user(_unfiltered|_by_label)?:increase1d$/;

describe('recording rules in deploy/prometheus/rules', () => {
  const all = [
    ...readRecordingRules(deployPath('prometheus', 'rules')).values(),
  ];
  const rules = all.filter(rule => rule.file !== PER_USER_FILE);
  const perUser = all.filter(rule => rule.file === PER_USER_FILE);

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

  it('keep user_hash only in the per-developer daily rules, named *_per_user[_unfiltered|_by_label]:increase1d', () => {
    const daily = perUser.filter(
      rule => rule.name !== 'ai_telemetry:per_user_daily_v3:evaluated',
    );
    const perDeveloper = daily.filter(rule => PER_USER_NAME.test(rule.name));
    const organisation = daily.filter(rule => !PER_USER_NAME.test(rule.name));
    expect(perDeveloper.length).toBeGreaterThan(0);
    for (const rule of perDeveloper) {
      expect(rule.expr).toMatch(new RegExp(`sum by \\(${USER_HASH_LABEL}[,)]`));
    }
    for (const rule of organisation) {
      expect(rule.name).toMatch(/^ai_telemetry:[a-z0-9_]+:increase1d$/);
      expect(rule.expr).not.toContain(USER_HASH_LABEL);
    }
    for (const rule of rules) expect(rule.name).not.toMatch(/per_user/);
  });
});
