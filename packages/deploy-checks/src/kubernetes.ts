import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readYamlDocuments, readYamlFile } from './yamlFiles';

/** The fields of a Kubernetes object that every check needs. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
};

export type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
};

export type Probe = { httpGet?: { path: string; port: number | string } };

export type Container = {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  };
  volumeMounts?: {
    name: string;
    mountPath: string;
    subPath?: string;
    readOnly?: boolean;
  }[];
};

export type Volume = {
  name: string;
  configMap?: { name: string };
  secret?: { secretName: string };
  persistentVolumeClaim?: { claimName: string };
};

export type Deployment = KubeObject & {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: { containers: Container[]; volumes?: Volume[] };
    };
  };
};

export type Service = KubeObject & {
  spec: {
    selector: Record<string, string>;
    ports: { name?: string; port: number; targetPort?: number | string }[];
  };
};

export type NetworkPolicyPeer = {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
};

export type NetworkPolicy = KubeObject & {
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes?: string[];
    ingress?: {
      from?: NetworkPolicyPeer[];
      ports?: { protocol?: string; port: number | string }[];
    }[];
  };
};

export type Secret = KubeObject & {
  stringData?: Record<string, string>;
  data?: Record<string, string>;
};

export type ConfigMapGenerator = {
  name: string;
  files?: string[];
  options?: {
    labels?: Record<string, string>;
    disableNameSuffixHash?: boolean;
  };
};

export type Kustomization = {
  apiVersion: string;
  kind: 'Kustomization';
  namespace?: string;
  resources?: string[];
  configMapGenerator?: ConfigMapGenerator[];
  images?: { name: string; newName?: string; newTag?: string }[];
};

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const object = value as Partial<KubeObject>;
  return (
    typeof object.apiVersion === 'string' &&
    typeof object.kind === 'string' &&
    typeof object.metadata?.name === 'string'
  );
}

/**
 * The Kubernetes objects of a manifest file (one or more YAML documents). Throws when a
 * document lacks apiVersion, kind or metadata.name.
 */
export function readManifests(file: string): KubeObject[] {
  return readYamlDocuments(file).map((document, index) => {
    if (!isKubeObject(document)) {
      throw new Error(
        `${file}: document ${
          index + 1
        } is not a Kubernetes object (apiVersion, kind and metadata.name are required)`,
      );
    }
    return document;
  });
}

/** The kustomization.yaml of a folder. */
export function readKustomization(dir: string): Kustomization {
  const file = join(dir, 'kustomization.yaml');
  const value = readYamlFile(file) as Partial<Kustomization> | null;
  if (value?.kind !== 'Kustomization') {
    throw new Error(`${file}: kind must be Kustomization`);
  }
  return value as Kustomization;
}

/**
 * The objects of every manifest file a kustomization lists under `resources`, following
 * folders (other kustomizations) as kustomize does. Generated ConfigMaps are not included.
 */
export function readKustomizationObjects(dir: string): KubeObject[] {
  const kustomization = readKustomization(dir);
  return (kustomization.resources ?? []).flatMap(resource => {
    const path = join(dir, resource);
    if (!existsSync(path)) {
      throw new Error(
        `${dir}/kustomization.yaml lists ${resource}, which does not exist`,
      );
    }
    return existsSync(join(path, 'kustomization.yaml'))
      ? readKustomizationObjects(path)
      : readManifests(path);
  });
}

/** The object of that kind and name; throws naming both when there is none. */
export function findObject<T extends KubeObject>(
  objects: KubeObject[],
  kind: string,
  name: string,
): T {
  const found = objects.filter(
    object => object.kind === kind && object.metadata.name === name,
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  }
  return found[0] as T;
}

/** True when every label of the selector is on the object with the same value. */
export function selectorMatches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  return Object.entries(selector ?? {}).every(
    ([key, value]) => labels?.[key] === value,
  );
}

/** The container's port number for a probe's or Service's named (or numbered) port. */
export function containerPort(
  container: Container,
  port: number | string | undefined,
): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find(p => p.name === port)?.containerPort;
}
