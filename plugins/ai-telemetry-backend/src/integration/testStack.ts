/**
 * The real Prometheus and Pushgateway that integration tests talk to. scripts/test.sh starts them
 * (with the demo history) and exports their URLs; a test that needs them fails, never skips, when
 * they are not there.
 */
export const testStack = {
  prometheusUrl:
    process.env.FAWKES_TEST_PROMETHEUS_URL ?? 'http://127.0.0.1:19090',
  pushgatewayUrl:
    process.env.FAWKES_TEST_PUSHGATEWAY_URL ?? 'http://127.0.0.1:19091',
};

/** Throws a message saying how to start the stack when `url` does not answer `/-/ready`. */
export async function requireUp(name: string, url: string): Promise<void> {
  try {
    const res = await fetch(`${url}/-/ready`);
    if (res.ok) return;
    throw new Error(`HTTP ${res.status}`);
  } catch (error) {
    throw new Error(
      `${name} is not answering at ${url} (${(error as Error).message}). ` +
        'Integration tests need the real stack: run scripts/test.sh, or start it with ' +
        'FAWKES_DATA_DIR=.data/test PROMETHEUS_PORT=19090 PUSHGATEWAY_PORT=19091 scripts/stack.sh start',
    );
  }
}

/** Runs an instant query and returns its vector result. */
export async function instantQuery(
  query: string,
  time?: number,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const params = new URLSearchParams({ query });
  if (time !== undefined) params.set('time', String(time));
  const res = await fetch(`${testStack.prometheusUrl}/api/v1/query?${params}`);
  const body = await res.json();
  if (body.status !== 'success') {
    throw new Error(`query ${query} failed: ${body.error}`);
  }
  return body.data.result;
}
