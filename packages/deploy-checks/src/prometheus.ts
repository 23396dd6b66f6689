import { join } from 'node:path';
import { analysePromql } from './promql';
import { readYamlFile, yamlFilesIn } from './yamlFiles';

/** The parts of prometheus.yml that the deployment depends on. */
export type PrometheusConfig = {
  global: {
    scrape_interval: string;
    scrape_timeout: string;
    evaluation_interval: string;
  };
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
};

export type ScrapeConfig = {
  job_name: string;
  metrics_path?: string;
  honor_labels?: boolean;
  authorization?: { type?: string; credentials_file?: string };
  static_configs: { targets: string[] }[];
  metric_relabel_configs?: {
    source_labels?: string[];
    target_label?: string;
    regex?: string;
    action?: string;
  }[];
};

export type RecordingRule = {
  name: string;
  expr: string;
  file: string;
  /** The labels its output series carry; undefined when they cannot be told from the expr. */
  outputLabels: string[] | undefined;
};

export function readPrometheusConfig(file: string): PrometheusConfig {
  return readYamlFile(file) as PrometheusConfig;
}

/** The scrape job of that name; throws naming it when there is none. */
export function scrapeJob(config: PrometheusConfig, name: string) {
  const job = config.scrape_configs.find(c => c.job_name === name);
  if (!job) throw new Error(`prometheus.yml has no scrape job ${name}`);
  return job;
}

type RuleFile = {
  groups: { name: string; rules: { record?: string; expr: string }[] }[];
};

/** Every recording rule of the rule files in a folder, by output name. */
export function readRecordingRules(dir: string): Map<string, RecordingRule> {
  const rules = new Map<string, RecordingRule>();
  for (const file of yamlFilesIn(dir)) {
    const content = readYamlFile(join(dir, file)) as RuleFile;
    for (const group of content.groups) {
      for (const rule of group.rules) {
        if (!rule.record) continue;
        rules.set(rule.record, {
          name: rule.record,
          expr: rule.expr,
          file,
          outputLabels: analysePromql(rule.expr).outputLabels,
        });
      }
    }
  }
  return rules;
}
