/**
 * The Prometheus and Pushgateway that scripts/test.sh starts with the demo history (30 days of
 * the demo organisation, pseudonymised with the development key) and whose URLs it exports.
 */
export const testStack = {
  prometheusUrl:
    process.env.FAWKES_TEST_PROMETHEUS_URL ?? 'http://127.0.0.1:19090',
  pushgatewayUrl:
    process.env.FAWKES_TEST_PUSHGATEWAY_URL ?? 'http://127.0.0.1:19091',
  /** The demo history's length (scripts/demo-data.sh, DEMO_DAYS). */
  demoDays: 30,
  /** The key scripts/demo-data.sh pseudonymises the demo history with. */
  demoPseudonymKey: 'fawkes-development-pseudonym-key',
};

/**
 * Fails, with how to start it, unless the test stack's Prometheus and Pushgateway answer
 * `/-/ready`: a test that needs them fails, never skips, when they are not there.
 */
export async function requireTestStack(): Promise<void> {
  for (const [name, url] of [
    ['Prometheus', testStack.prometheusUrl],
    ['Pushgateway', testStack.pushgatewayUrl],
  ]) {
    try {
      const res = await fetch(`${url}/-/ready`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (error) {
      throw new Error(
        `${name} is not answering at ${url} (${(error as Error).message}). ` +
          'Integration tests need the test stack with the demo history: run scripts/test.sh, ' +
          'or start it as that script does (FAWKES_DATA_DIR=.data/test PROMETHEUS_PORT=19090 ' +
          'PUSHGATEWAY_PORT=19091, scripts/demo-data.sh, then scripts/stack.sh start); on other ' +
          'ports, set FAWKES_TEST_PROMETHEUS_URL and FAWKES_TEST_PUSHGATEWAY_URL.',
      );
    }
  }
}
