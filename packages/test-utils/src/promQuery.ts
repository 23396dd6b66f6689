/** One series of a query's answer: a sample for a vector, samples for a matrix. */
export type QueriedSeries = {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
};

async function api(
  baseUrl: string,
  path: string,
  params: Record<string, string>,
): Promise<QueriedSeries[]> {
  const res = await fetch(`${baseUrl}/api/v1/${path}`, {
    method: 'POST',
    body: new URLSearchParams(params),
  });
  const body = (await res.json()) as {
    status: string;
    data: { result: QueriedSeries[] };
    error?: string;
  };
  if (body.status !== 'success') {
    throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
  }
  return body.data.result;
}

/**
 * An instant query of the Prometheus HTTP API at `baseUrl` (Prometheus or VictoriaMetrics):
 * a vector, or a matrix for a range selector. `time` is in unix seconds.
 */
export function instantQuery(
  baseUrl: string,
  query: string,
  time?: number,
): Promise<QueriedSeries[]> {
  return api(baseUrl, 'query', {
    query,
    ...(time !== undefined && { time: String(time) }),
  });
}

/** A range query of the Prometheus HTTP API at `baseUrl`; times and step in seconds. */
export function rangeQuery(
  baseUrl: string,
  query: string,
  range: { start: number; end: number; step: number },
): Promise<QueriedSeries[]> {
  return api(baseUrl, 'query_range', {
    query,
    start: String(range.start),
    end: String(range.end),
    step: String(range.step),
  });
}
