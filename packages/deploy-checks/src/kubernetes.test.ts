import { readdirSync } from 'node:fs';
import {
  Container,
  Deployment,
  KubeObject,
  NetworkPolicy,
  Secret,
  Service,
  containerPort,
  findObject,
  readKustomization,
  readKustomizationObjects,
  readManifests,
  selectorMatches,
} from './kubernetes';
import { deployPath } from './paths';
import { readPrometheusConfig, scrapeJob } from './prometheus';
import { readYamlFile } from './yamlFiles';

const K8S_DIR = deployPath('kubernetes');
const kustomization = readKustomization(K8S_DIR);
const objects = readKustomizationObjects(K8S_DIR);
const prometheusConfig = readPrometheusConfig(
  deployPath('prometheus', 'prometheus.yml'),
);

const deployment = (name: string) =>
  findObject<Deployment>(objects, 'Deployment', name);
const service = (name: string) => findObject<Service>(objects, 'Service', name);
const policy = (name: string) =>
  findObject<NetworkPolicy>(objects, 'NetworkPolicy', name);
const onlyContainer = (name: string): Container => {
  const containers = deployment(name).spec.template.spec.containers;
  expect(containers).toHaveLength(1);
  return containers[0];
};
const podLabels = (name: string) =>
  deployment(name).spec.template.metadata.labels;

/** The volume mounted at a path of a Deployment's only container, with the mount. */
function mountAt(name: string, mountPath: string) {
  const mount = onlyContainer(name).volumeMounts?.find(
    m => m.mountPath === mountPath,
  );
  if (!mount) throw new Error(`${name} mounts nothing at ${mountPath}`);
  const volume = deployment(name).spec.template.spec.volumes?.find(
    v => v.name === mount.name,
  );
  if (!volume) throw new Error(`${name} has no volume ${mount.name}`);
  return { mount, volume };
}

/** The value of a --flag=value argument. */
function flag(container: Container, name: string): string | undefined {
  const prefix = `--${name}=`;
  return container.args
    ?.find(arg => arg.startsWith(prefix))
    ?.slice(prefix.length);
}

/** The Service and port a "host:port" scrape target or base URL names. */
function serviceFor(hostPort: string) {
  const [host, port] = hostPort.split(':');
  const target = service(host);
  const servicePort = target.spec.ports.find(p => p.port === Number(port));
  if (!servicePort) throw new Error(`Service ${host} has no port ${port}`);
  return { target, servicePort };
}

/** The Deployment whose pods a Service selects. */
function deploymentBehind(target: Service): Deployment {
  const matches = objects.filter(
    (o): o is Deployment =>
      o.kind === 'Deployment' &&
      selectorMatches(
        target.spec.selector,
        (o as Deployment).spec.template.metadata.labels,
      ),
  );
  expect(matches).toHaveLength(1);
  return matches[0];
}

describe('deploy/kubernetes/kustomization.yaml', () => {
  it('puts everything in the fawkes namespace, which no manifest overrides', () => {
    expect(kustomization.namespace).toBe('fawkes');
    for (const object of objects) {
      expect(object.metadata.namespace).toBeUndefined();
    }
  });

  it('lists every manifest file of the folder, and no example', () => {
    const listed = new Set([
      ...(kustomization.resources ?? []),
      ...(kustomization.configMapGenerator ?? []).flatMap(g => g.files ?? []),
    ]);
    const files = readdirSync(K8S_DIR).filter(
      name => /\.ya?ml$/.test(name) && name !== 'kustomization.yaml',
    );
    for (const file of files) {
      expect({ file, listed: listed.has(file) }).toEqual({
        file,
        listed: !file.endsWith('.example.yaml'),
      });
    }
    expect(kustomization.resources).toContain('../prometheus');
  });

  it('deploys the components, and no Secret, so that applying it never overwrites real keys', () => {
    const names = objects.map(o => `${o.kind}/${o.metadata.name}`).sort();
    expect(names).toEqual([
      'Deployment/backstage',
      'Deployment/prometheus',
      'Deployment/pushgateway',
      'NetworkPolicy/backstage',
      'NetworkPolicy/prometheus',
      'NetworkPolicy/pushgateway',
      'PersistentVolumeClaim/prometheus-data',
      'PersistentVolumeClaim/pushgateway-data',
      'Service/backstage',
      'Service/prometheus',
      'Service/pushgateway',
    ]);
  });

  it('gives every Deployment a selector its pods match', () => {
    const deployments = objects.filter(
      (o): o is Deployment => o.kind === 'Deployment',
    );
    for (const d of deployments) {
      expect(
        selectorMatches(
          d.spec.selector.matchLabels,
          podLabels(d.metadata.name),
        ),
      ).toBe(true);
    }
  });

  it("gives every Service one Deployment's pods, on a port their container opens", () => {
    const services = objects.filter((o): o is Service => o.kind === 'Service');
    for (const s of services) {
      const [container] = deploymentBehind(s).spec.template.spec.containers;
      for (const port of s.spec.ports) {
        expect(containerPort(container, port.targetPort)).toBe(port.port);
      }
    }
  });
});

describe('the Pushgateway', () => {
  const container = onlyContainer('pushgateway');

  it("is the seed's Deployment: image and resources", () => {
    expect(container.image).toBe('prom/pushgateway:v1.6.0');
    expect(container.resources).toEqual({
      requests: { memory: '64Mi', cpu: '50m' },
      limits: { memory: '128Mi', cpu: '100m' },
    });
  });

  it('is probed on /-/ready and /-/healthy on its port 9091', () => {
    expect(container.readinessProbe?.httpGet?.path).toBe('/-/ready');
    expect(container.livenessProbe?.httpGet?.path).toBe('/-/healthy');
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(containerPort(container, probe?.httpGet?.port)).toBe(9091);
    }
    expect(service('pushgateway').spec.ports[0].port).toBe(9091);
  });

  it('keeps its persistence file on a persistent volume', () => {
    const file = flag(container, 'persistence.file');
    expect(file).toBe('/data/pushgateway.data');
    const { volume } = mountAt('pushgateway', '/data');
    expect(volume.persistentVolumeClaim?.claimName).toBe('pushgateway-data');
    findObject(objects, 'PersistentVolumeClaim', 'pushgateway-data');
  });
});

describe('Prometheus', () => {
  const container = onlyContainer('prometheus');

  it('keeps 90 days, at most 10 GB, and serves the admin API that erasure needs', () => {
    expect(flag(container, 'storage.tsdb.retention.time')).toBe('90d');
    expect(flag(container, 'storage.tsdb.retention.size')).toBe('10GB');
    expect(container.args).toContain('--web.enable-admin-api');
    const { volume } = mountAt(
      'prometheus',
      flag(container, 'storage.tsdb.path')!,
    );
    expect(volume.persistentVolumeClaim?.claimName).toBe('prometheus-data');
    findObject(objects, 'PersistentVolumeClaim', 'prometheus-data');
  });

  it('runs deploy/prometheus/prometheus.yml and rules/*.yml, from generated ConfigMaps', () => {
    const generators = readKustomization(
      deployPath('prometheus'),
    ).configMapGenerator;
    const config = generators?.find(g => g.name === 'prometheus-config');
    expect(config?.files).toEqual(['prometheus.yml']);
    const rules = generators?.find(g => g.name === 'prometheus-rules');
    expect(rules?.files?.slice().sort()).toEqual(
      readdirSync(deployPath('prometheus', 'rules'))
        .filter(name => name.endsWith('.yml'))
        .map(name => `rules/${name}`)
        .sort(),
    );

    const configFile = flag(container, 'config.file')!;
    const configMount = mountAt('prometheus', configFile);
    expect(configMount.volume.configMap?.name).toBe('prometheus-config');
    expect(configMount.mount.subPath).toBe('prometheus.yml');

    // rule_files are relative to the config file's folder.
    expect(prometheusConfig.rule_files).toEqual(['rules/*.yml']);
    const rulesDir = configFile.replace(/[^/]+$/, 'rules');
    expect(mountAt('prometheus', rulesDir).volume.configMap?.name).toBe(
      'prometheus-rules',
    );
  });

  it('is served on 9090 and probed there', () => {
    expect(
      containerPort(container, container.readinessProbe?.httpGet?.port),
    ).toBe(9090);
    expect(service('prometheus').spec.ports[0].port).toBe(9090);
  });
});

describe("prometheus.yml's scrape config against the manifests", () => {
  it("scrapes at the seed's 30 s interval with a 10 s timeout", () => {
    expect(prometheusConfig.global).toMatchObject({
      scrape_interval: '30s',
      scrape_timeout: '10s',
    });
  });

  it("scrapes the backend's metrics endpoint through its Service, with the token Prometheus mounts", () => {
    const job = scrapeJob(prometheusConfig, 'ai-telemetry-backend');
    expect(job.metrics_path).toBe('/api/ai-telemetry/v1/metrics');
    const [target] = job.static_configs.flatMap(c => c.targets);
    const { target: backendService } = serviceFor(target);
    expect(deploymentBehind(backendService).metadata.name).toBe('backstage');

    expect(job.authorization?.type).toBe('Bearer');
    const { mount, volume } = mountAt(
      'prometheus',
      job.authorization!.credentials_file!,
    );
    expect(volume.secret?.secretName).toBe('ai-telemetry-scrape-token');
    expect(mount.subPath).toBe('token');
  });

  it('scrapes the Pushgateway through its Service with honor_labels, moving instance into user_hash', () => {
    const job = scrapeJob(prometheusConfig, 'pushgateway');
    expect(job.honor_labels).toBe(true);
    const [target] = job.static_configs.flatMap(c => c.targets);
    expect(deploymentBehind(serviceFor(target).target).metadata.name).toBe(
      'pushgateway',
    );
    const relabelled = job.metric_relabel_configs ?? [];
    expect(relabelled.some(r => r.source_labels?.includes('instance'))).toBe(
      true,
    );
    expect(relabelled.some(r => r.target_label === 'user_hash')).toBe(true);
  });
});

describe('the backend', () => {
  const container = onlyContainer('backstage');
  const env = (name: string) => container.env?.find(e => e.name === name);

  it('reads the pseudonym key, the scrape token and the weekly report token from their Secrets', () => {
    expect(env('AI_TELEMETRY_PSEUDONYM_KEY')?.valueFrom?.secretKeyRef).toEqual({
      name: 'ai-telemetry-pseudonym-key',
      key: 'pseudonym-key',
    });
    expect(env('AI_TELEMETRY_SCRAPE_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'ai-telemetry-scrape-token',
      key: 'token',
    });
    expect(env('AI_TELEMETRY_REPORT_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'ai-telemetry-report-token',
      key: 'token',
    });
  });

  it('is the only workload that can read the pseudonym key', () => {
    const readers = objects
      .filter((o): o is Deployment => o.kind === 'Deployment')
      .filter(d =>
        JSON.stringify(d.spec).includes('ai-telemetry-pseudonym-key'),
      )
      .map(d => d.metadata.name);
    expect(readers).toEqual(['backstage']);
  });

  it('loads the aiTelemetry config fragment, which points at the Services and the Secrets', () => {
    const generator = kustomization.configMapGenerator?.find(
      g => g.name === 'backstage-ai-telemetry-config',
    );
    expect(generator?.files).toEqual(['app-config.ai-telemetry.yaml']);
    const { volume, mount } = mountAt('backstage', '/etc/fawkes');
    expect(volume.configMap?.name).toBe('backstage-ai-telemetry-config');
    const args = container.args ?? [];
    const fragment = `${mount.mountPath}/app-config.ai-telemetry.yaml`;
    expect(args[args.indexOf(fragment) - 1]).toBe('--config');
    expect(args.indexOf(fragment)).toBeGreaterThan(
      args.indexOf('app-config.production.yaml'),
    );

    const appConfig = readYamlFile(
      deployPath('kubernetes', 'app-config.ai-telemetry.yaml'),
    ) as {
      backend: {
        auth: {
          externalAccess: {
            type: string;
            options: { token: string; subject: string };
            accessRestrictions: { plugin: string }[];
          }[];
        };
      };
      aiTelemetry: {
        prometheus: { baseUrl: string };
        pushgateway: { baseUrl: string };
        pseudonymKey: string;
        privacy: { retentionDays: number };
        metrics: { scrapeSubject: string };
      };
    };
    const { aiTelemetry } = appConfig;
    const hostPort = (url: string) => new URL(url).host;
    expect(
      deploymentBehind(
        serviceFor(hostPort(aiTelemetry.prometheus.baseUrl)).target,
      ).metadata.name,
    ).toBe('prometheus');
    expect(
      deploymentBehind(
        serviceFor(hostPort(aiTelemetry.pushgateway.baseUrl)).target,
      ).metadata.name,
    ).toBe('pushgateway');
    expect(aiTelemetry.pseudonymKey).toBe('${AI_TELEMETRY_PSEUDONYM_KEY}');
    expect(`${aiTelemetry.privacy.retentionDays}d`).toBe(
      flag(onlyContainer('prometheus'), 'storage.tsdb.retention.time'),
    );
    expect(appConfig.backend.auth.externalAccess).toEqual([
      {
        type: 'static',
        options: {
          token: '${AI_TELEMETRY_SCRAPE_TOKEN}',
          // The metrics endpoint serves this subject alone.
          subject: aiTelemetry.metrics.scrapeSubject,
        },
        accessRestrictions: [{ plugin: 'ai-telemetry' }],
      },
      {
        type: 'static',
        options: {
          token: '${AI_TELEMETRY_REPORT_TOKEN}',
          subject: 'weekly-report',
        },
        accessRestrictions: [{ plugin: 'ai-telemetry' }],
      },
    ]);
  });
});

describe('NetworkPolicies', () => {
  const policies = objects.filter(
    (o): o is NetworkPolicy => o.kind === 'NetworkPolicy',
  );

  /** Names of this namespace's Deployments whose pods a peer selects. */
  function localPeers(p: NetworkPolicy, port: number): string[] {
    return (p.spec.ingress ?? [])
      .filter(rule => rule.ports?.some(rp => rp.port === port))
      .flatMap(rule => rule.from ?? [])
      .filter(peer => !peer.namespaceSelector)
      .flatMap(peer =>
        objects
          .filter((o): o is Deployment => o.kind === 'Deployment')
          .filter(d =>
            selectorMatches(
              peer.podSelector?.matchLabels,
              d.spec.template.metadata.labels,
            ),
          )
          .map(d => d.metadata.name),
      )
      .sort();
  }

  /** The namespaceSelector'd peers of a port, as "namespace/pod labels". */
  function otherNamespacePeers(p: NetworkPolicy, port: number): string[] {
    return (p.spec.ingress ?? [])
      .filter(rule => rule.ports?.some(rp => rp.port === port))
      .flatMap(rule => rule.from ?? [])
      .filter(peer => peer.namespaceSelector)
      .map(
        peer =>
          `${
            peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']
          }/${JSON.stringify(peer.podSelector?.matchLabels ?? {})}`,
      );
  }

  it('select the pods of one Deployment each, allow named sources only, and only on its port', () => {
    for (const p of policies) {
      const selected = objects.filter(
        (o): o is Deployment =>
          o.kind === 'Deployment' &&
          selectorMatches(
            p.spec.podSelector.matchLabels,
            (o as Deployment).spec.template.metadata.labels,
          ),
      );
      expect(selected.map(d => d.metadata.name)).toEqual([p.metadata.name]);
      expect(p.spec.policyTypes).toEqual(['Ingress']);
      const [container] = selected[0].spec.template.spec.containers;
      const ports = container.ports?.map(cp => cp.containerPort);
      for (const rule of p.spec.ingress ?? []) {
        // A rule without `from` or without ports would let anyone in.
        expect(rule.from?.length).toBeGreaterThan(0);
        expect(rule.ports?.map(rp => rp.port)).toEqual(ports);
        for (const peer of rule.from ?? []) {
          expect(peer.podSelector ?? peer.namespaceSelector).toBeDefined();
          // Another namespace is named exactly, never matched by a label anyone can set.
          expect(
            Object.keys(peer.namespaceSelector?.matchLabels ?? {}),
          ).toEqual(
            peer.namespaceSelector ? ['kubernetes.io/metadata.name'] : [],
          );
        }
      }
    }
  });

  it("let only the backend, and Grafana, reach Prometheus's API (and so its admin API)", () => {
    expect(localPeers(policy('prometheus'), 9090)).toEqual(['backstage']);
    expect(otherNamespacePeers(policy('prometheus'), 9090)).toEqual([
      'monitoring/{"app.kubernetes.io/name":"grafana"}',
    ]);
  });

  it("let only Prometheus, of this namespace's pods, reach the backend's port, beside the ingress controller", () => {
    expect(localPeers(policy('backstage'), 7007)).toEqual(['prometheus']);
    expect(otherNamespacePeers(policy('backstage'), 7007)).toEqual([
      'ingress-nginx/{}',
    ]);
  });

  it('let Prometheus scrape and the backend erase on the Pushgateway, and legacy pushes in through the ingress', () => {
    expect(localPeers(policy('pushgateway'), 9091)).toEqual([
      'backstage',
      'prometheus',
    ]);
    expect(otherNamespacePeers(policy('pushgateway'), 9091)).toEqual([
      'ingress-nginx/{}',
    ]);
  });
});

describe('deploy/kubernetes/secrets.example.yaml', () => {
  const secrets = readManifests(
    deployPath('kubernetes', 'secrets.example.yaml'),
  );

  it('shows every Secret the Deployments read, with the keys they read', () => {
    const referenced = objects
      .filter((o): o is Deployment => o.kind === 'Deployment')
      .flatMap(d => {
        const spec = d.spec.template.spec;
        return [
          ...spec.containers.flatMap(c => [
            ...(c.env ?? []).flatMap(e =>
              e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [],
            ),
            ...(c.envFrom ?? []).flatMap(e =>
              e.secretRef ? [{ name: e.secretRef.name, key: undefined }] : [],
            ),
          ]),
          ...(spec.volumes ?? []).flatMap(v =>
            v.secret ? [{ name: v.secret.secretName, key: undefined }] : [],
          ),
        ];
      });
    expect(referenced.length).toBeGreaterThan(0);
    for (const { name, key } of referenced) {
      const secret = findObject<Secret>(secrets, 'Secret', name);
      expect(Object.keys(secret.stringData ?? {})).toEqual(
        expect.arrayContaining(key ? [key] : []),
      );
    }
  });

  it('holds placeholders that the backend refuses, never something usable', () => {
    const values = (name: string) =>
      Object.values(
        findObject<Secret>(secrets, 'Secret', name).stringData ?? {},
      );
    for (const name of [
      'ai-telemetry-pseudonym-key',
      'ai-telemetry-scrape-token',
      'ai-telemetry-report-token',
    ]) {
      for (const value of values(name)) {
        // A static token must be non-space characters; a pseudonym key at least 16 long in
        // development and tests, 32 anywhere else.
        expect(value).toMatch(/\s/);
        expect(value.length).toBeLessThan(16);
      }
    }
    expect(secrets.every((s: KubeObject) => s.kind === 'Secret')).toBe(true);
  });
});
