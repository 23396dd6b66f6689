/**
 * The test infrastructure of the Fawkes AI Telemetry packages, once: the real processes a test
 * starts (Prometheus, the Pushgateway, VictoriaMetrics, PostgreSQL, a Backstage backend), the
 * test stack of scripts/test.sh, stand-in servers, and the seeded generators.
 *
 * @packageDocumentation
 */
export * from './backfill';
export * from './BackendProcess';
export * from './GithubStandIn';
export * from './githubReports';
export * from './httpServer';
export * from './PostgresProcess';
export * from './PrometheusProcess';
export * from './promQuery';
export * from './PushgatewayProcess';
export * from './random';
export * from './runCommand';
export * from './ServerProcess';
export * from './StubEventsServer';
export * from './TcpProxy';
export * from './testStack';
export * from './VictoriaMetricsProcess';
export * from './waiting';
