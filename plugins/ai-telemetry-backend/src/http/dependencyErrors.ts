import { ServiceUnavailableError } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';

/** Errors of a socket that could not reach the database server, or lost it. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's SQLSTATEs of a server that is not there for now: class 08 (connection
 * exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up
 * or shutting down).
 */
function unavailableSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code);
}

/**
 * What node-postgres says when the server closes a connection it was using (Knex puts the
 * statement in front: `COMMIT; - Client has encountered a connection error …`).
 */
const LOST_CONNECTION = [
  /\bConnection terminated( unexpectedly)?$/,
  /\bClient has encountered a connection error and is not queryable$/,
];

type DatabaseError = Error & { code?: unknown; syscall?: unknown };

/**
 * The 503 to answer for an error that says the database cannot be reached (a connection
 * refused or lost, the server starting up or shutting down, no pooled connection within Knex's
 * time-out), or undefined for any other error. The address is left out: the message tells the
 * caller which dependency failed and how, not where it runs.
 */
export function databaseUnavailable(
  error: unknown,
): ServiceUnavailableError | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as DatabaseError;
  const code = typeof e.code === 'string' ? e.code : '';
  let how: string | undefined;
  if (e.name === 'KnexTimeoutError') {
    how = 'no connection could be had in time';
  } else if (CONNECTION_CODES.has(code) && typeof e.syscall === 'string') {
    how = code;
  } else if (unavailableSqlState(code)) {
    how = `${code} ${e.message}`;
  } else {
    how = LOST_CONNECTION.map(pattern => pattern.exec(e.message)?.[0]).find(
      Boolean,
    );
  }
  return how === undefined
    ? undefined
    : new ServiceUnavailableError(
        `The database is unavailable (${how}); try again shortly`,
      );
}

/** Names of the Backstage services the plugin calls, by plugin id. */
const SERVICE_NAMES: Record<string, string> = {
  catalog: 'The catalog',
  permission: 'The permission service',
  auth: 'The auth service',
};

type ResponseErrorLike = Error & {
  statusCode?: unknown;
  statusText?: unknown;
  response?: { url?: unknown };
};

/**
 * The 503 to answer when another Backstage plugin the route depends on (the catalog for teams,
 * the permission service) answered 5xx through its client's `ResponseError`, naming that
 * plugin and its status; undefined for any other error. A 5xx of theirs is our dependency
 * failing, not a bug of ours: it is a 503, as an unreachable Prometheus is.
 */
export function backstageServiceUnavailable(
  error: unknown,
): ServiceUnavailableError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'FetchError') return unanswered(error);
  if (error.name !== 'ResponseError') return undefined;
  const e = error as ResponseErrorLike;
  if (typeof e.statusCode !== 'number' || e.statusCode < 500) return undefined;
  const service = serviceAt(
    typeof e.response?.url === 'string' ? e.response.url : '',
  );
  const status = `${e.statusCode}${
    typeof e.statusText === 'string' && e.statusText ? ` ${e.statusText}` : ''
  }`;
  return new ServiceUnavailableError(
    `${service} is unavailable (it answered ${status}); try again shortly`,
  );
}

/** The Backstage service whose route a URL (or a message holding one) points at. */
function serviceAt(text: string): string {
  const pluginId = /\/api\/([a-z0-9-]+)(?:[/?\s]|$)/.exec(text)?.[1];
  return pluginId
    ? SERVICE_NAMES[pluginId] ?? `Backstage's ${pluginId} service`
    : 'A Backstage service';
}

/**
 * A Backstage client's fetch that got no usable answer from another plugin (node-fetch's
 * `FetchError`: the connection failed, or the body was cut off and is no JSON), when its
 * message names a plugin's route: a 503 naming that plugin.
 */
function unanswered(error: Error): ServiceUnavailableError | undefined {
  if (!/\/api\/[a-z0-9-]+/.test(error.message)) return undefined;
  const type = (error as Error & { type?: unknown }).type;
  const how =
    type === 'invalid-json'
      ? 'its answer was cut off'
      : (error as Error & { code?: unknown }).code ?? type ?? 'no answer';
  return new ServiceUnavailableError(
    `${serviceAt(error.message)} is unavailable (${how}); try again shortly`,
  );
}

/**
 * Turns the errors of a dependency that is down into 503s naming it: the database that cannot
 * be reached (a restart or fail-over of PostgreSQL), another Backstage plugin answering 5xx.
 * So they answer as clearly as an unreachable Prometheus does; every other error passes on
 * unchanged.
 */
export function dependencyErrorsAsUnavailable(): ErrorRequestHandler {
  return (error, _req, _res, next) => {
    next(
      databaseUnavailable(error) ?? backstageServiceUnavailable(error) ?? error,
    );
  };
}
