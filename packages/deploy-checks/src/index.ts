/**
 * Checks of the deployment files in deploy/: readers for Kubernetes manifests, kustomizations,
 * Prometheus configuration and rules, and the Grafana dashboard, and a PromQL analyser.
 *
 * @packageDocumentation
 */
export * from './grafana';
export * from './kubernetes';
export * from './paths';
export * from './prometheus';
export * from './promql';
export * from './yamlFiles';
