import {
  Deployment,
  findObject,
  NetworkPolicy,
  readKustomization,
  readKustomizationObjects,
  selectorMatches,
  Service,
} from './kubernetes';
import { deployPath } from './paths';
import { readPrometheusConfig } from './prometheus';
import {
  durationSeconds,
  readRemoteWrite,
  readVictoriaMetricsAppConfig,
  VICTORIA_METRICS_DIR,
  victoriaMetricsDeployment,
  victoriaMetricsFlags,
} from './victoriaMetrics';
import { readYamlFile } from './yamlFiles';

const objects = readKustomizationObjects(VICTORIA_METRICS_DIR);
const stack = readKustomizationObjects(deployPath('kubernetes'));
const flags = victoriaMetricsFlags();
const appConfig = readVictoriaMetricsAppConfig().aiTelemetry;
const service = findObject<Service>(objects, 'Service', 'victoria-metrics');
const podLabels = () =>
  victoriaMetricsDeployment().spec.template.metadata.labels;
const stackPodLabels = (name: string) =>
  findObject<Deployment>(stack, 'Deployment', name).spec.template.metadata
    .labels;

describe('deploy/victoria-metrics', () => {
  it('is a kustomization in the namespace of the rest of the stack', () => {
    expect(readKustomization(VICTORIA_METRICS_DIR).namespace).toBe(
      readKustomization(deployPath('kubernetes')).namespace,
    );
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/victoria-metrics',
      'NetworkPolicy/prometheus-from-victoria-metrics',
      'NetworkPolicy/victoria-metrics',
      'PersistentVolumeClaim/victoria-metrics-data',
      'Service/victoria-metrics',
    ]);
  });

  it('keeps 90 days, as the backend and Prometheus promise', () => {
    const stackConfig = readYamlFile(
      deployPath('kubernetes', 'app-config.ai-telemetry.yaml'),
    ) as { aiTelemetry: { privacy: { retentionDays: number } } };

    expect(flags.get('-retentionPeriod')).toBe(
      `${stackConfig.aiTelemetry.privacy.retentionDays}d`,
    );
    expect(appConfig.privacy.retentionDays).toBe(
      stackConfig.aiTelemetry.privacy.retentionDays,
    );
  });

  it('is reached at one address by Prometheus’s remote write and the backend', () => {
    const [container] =
      victoriaMetricsDeployment().spec.template.spec.containers;
    const listenPort = Number(flags.get('-httpListenAddr')!.split(':').pop());
    const [port] = service.spec.ports;
    const address = `http://${service.metadata.name}:${port.port}`;

    expect(container.ports).toEqual([
      { name: port.targetPort, containerPort: listenPort },
    ]);
    expect(selectorMatches(service.spec.selector, podLabels())).toBe(true);
    expect(readRemoteWrite().map(w => w.url)).toEqual([
      `${address}/api/v1/write`,
    ]);
    expect(appConfig.prometheus.baseUrl).toBe(address);
  });

  it('sends every series: erasure must find the per-user ones where it deletes', () => {
    for (const target of readRemoteWrite()) {
      expect(target.write_relabel_configs).toBeUndefined();
    }
  });

  it('passes the rules API on to the stack’s Prometheus, which may be reached from it', () => {
    const prometheus = findObject<Service>(stack, 'Service', 'prometheus');
    const [port] = prometheus.spec.ports;
    const policy = findObject<NetworkPolicy>(
      objects,
      'NetworkPolicy',
      'prometheus-from-victoria-metrics',
    );

    expect(flags.get('-vmalert.proxyURL')).toBe(
      `http://${prometheus.metadata.name}:${port.port}`,
    );
    expect(
      selectorMatches(
        policy.spec.podSelector.matchLabels,
        stackPodLabels('prometheus'),
      ),
    ).toBe(true);
    const [rule] = policy.spec.ingress!;
    expect(
      selectorMatches(rule.from![0].podSelector!.matchLabels, podLabels()),
    ).toBe(true);
    expect(rule.ports).toEqual([{ protocol: 'TCP', port: port.port }]);
  });

  it('lets only the backend, Prometheus and Grafana reach its delete API', () => {
    const policy = findObject<NetworkPolicy>(
      objects,
      'NetworkPolicy',
      'victoria-metrics',
    );
    const peers = policy.spec.ingress!.flatMap(rule => rule.from ?? []);
    const inNamespace = peers.filter(p => !p.namespaceSelector);

    expect(
      selectorMatches(policy.spec.podSelector.matchLabels, podLabels()),
    ).toBe(true);
    expect(
      ['backstage', 'prometheus'].map(name =>
        inNamespace.some(p =>
          selectorMatches(p.podSelector?.matchLabels, stackPodLabels(name)),
        ),
      ),
    ).toEqual([true, true]);
    expect(inNamespace).toHaveLength(2);
    expect(peers.filter(p => p.namespaceSelector)).toEqual([
      {
        namespaceSelector: {
          matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
        },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } },
      },
    ]);
  });

  it('makes erasure wait longer than a scrape, its timeout and remote write’s delay', () => {
    const { global } = readPrometheusConfig(
      deployPath('prometheus', 'prometheus.yml'),
    );
    const [target] = readRemoteWrite();
    const inFlight =
      durationSeconds(global.scrape_interval) +
      durationSeconds(global.scrape_timeout) +
      durationSeconds(String(target.queue_config!.batch_send_deadline));

    expect(appConfig.erasure.scrapeGraceSeconds).toBeGreaterThan(inFlight);
  });
});
