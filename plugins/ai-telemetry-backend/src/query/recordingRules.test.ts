import { RECORDING_RULES } from './families';
import { readFileSync } from 'fs';
import { parse as parseYaml } from 'yaml';
import { renderSelector } from './rawQueryAst';
import { RECORDING_RULE_SOURCES } from './recordingRules';
import { RECORDING_RULES_FILE } from './__testUtils__/demoData';

type RuleFile = {
  groups: Array<{ rules: Array<{ record?: string; expr: string }> }>;
};

const normalise = (expr: string) => expr.replace(/\s+/g, ' ').trim();

const recorded = (
  parseYaml(readFileSync(RECORDING_RULES_FILE, 'utf8')) as RuleFile
).groups
  .flatMap(g => g.rules)
  .filter(r => r.record)
  .map(r => [r.record!, normalise(r.expr)] as const);

describe('the recording rules the raw console knows', () => {
  it('are the rules of deploy/prometheus/rules/ai-telemetry-recording.yml, every one of them', () => {
    expect(Object.keys(RECORDING_RULE_SOURCES).sort()).toEqual(
      recorded.map(([record]) => record).sort(),
    );
    expect(Object.keys(RECORDING_RULE_SOURCES)).toEqual(
      expect.arrayContaining(Object.values(RECORDING_RULES)),
    );
  });

  it.each(recorded)(
    '%s: has the expression of the rule file, its labels and its per-person terms',
    (record, expr) => {
      const source = RECORDING_RULE_SOURCES[record];
      expect(source.expr).toBe(expr);
      const kept = /^sum by \(([^)]*)\)/.exec(expr)?.[1];
      expect(source.labels).toEqual(kept ? kept.split(', ') : []);
      const terms = [
        ...expr.matchAll(
          /\b(increase|rate)\((ai_copilot_\w+(\{[^}]*\})?)\[(\w+)\]\)/g,
        ),
      ].map(m => m[0]);
      expect(terms.length).toBeGreaterThan(0);
      expect(
        source.terms.map(
          t => `${t.fn}(${renderSelector(t.metric, t.matchers)}[${t.window}])`,
        ),
      ).toEqual(terms);
    },
  );
});
