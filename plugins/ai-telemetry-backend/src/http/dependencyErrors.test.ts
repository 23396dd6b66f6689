import { InputError, ResponseError } from '@backstage/errors';
import express from 'express';
import request from 'supertest';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import {
  backstageServiceUnavailable,
  databaseUnavailable,
  dependencyErrorsAsUnavailable,
} from './dependencyErrors';

/** An error as node-postgres throws it for a socket that could not connect. */
function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
    code: 'ECONNREFUSED',
    errno: -111,
    syscall: 'connect',
    address: '127.0.0.1',
    port: 5432,
  });
}

/** An error as node-postgres throws it for a server-side SQLSTATE. */
function sqlState(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'FATAL' });
}

describe('databaseUnavailable', () => {
  it('names the database, and how, for a connection refused, without its address', () => {
    const error = databaseUnavailable(refused());
    expect(error?.name).toBe('ServiceUnavailableError');
    expect(error?.message).toBe(
      'The database is unavailable (ECONNREFUSED); try again shortly',
    );
    expect(error?.message).not.toContain('127.0.0.1');
  });

  it('takes a server shutting down or starting up, and a lost connection', () => {
    for (const error of [
      sqlState('57P01', 'terminating connection due to administrator command'),
      sqlState('57P03', 'the database system is starting up'),
      sqlState('08006', 'connection failure'),
      new Error('Connection terminated unexpectedly'),
      new Error(
        'COMMIT; - Client has encountered a connection error and is not queryable',
      ),
      Object.assign(new Error('Knex: Timeout acquiring a connection.'), {
        name: 'KnexTimeoutError',
      }),
    ]) {
      expect(databaseUnavailable(error)?.message).toMatch(
        /^The database is unavailable \(.+\); try again shortly$/,
      );
    }
  });

  it('leaves every other error alone, SQL errors and plain codes included', () => {
    for (const error of [
      new InputError('Invalid range'),
      sqlState('23505', 'duplicate key value violates unique constraint'),
      sqlState('42601', 'syntax error at or near "s"'),
      Object.assign(new Error('no syscall'), { code: 'ECONNREFUSED' }),
      new TypeError('fetch failed'),
      'not an error',
    ]) {
      expect(databaseUnavailable(error)).toBeUndefined();
    }
  });
});

/** What a Backstage client throws for a failed answer of its plugin. */
function responseError(url: string, status: number, statusText: string) {
  const response = new Response(
    JSON.stringify({
      error: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
      response: { statusCode: status },
    }),
    { status, statusText, headers: { 'content-type': 'application/json' } },
  );
  // A fetched response knows its URL; a constructed one has none to give.
  Object.defineProperty(response, 'url', { value: url });
  return ResponseError.fromResponse(response);
}

describe('backstageServiceUnavailable', () => {
  it("names the catalog and its status when the catalog answers 5xx, not the catalog's cause", async () => {
    const error = backstageServiceUnavailable(
      await responseError(
        'http://localhost:7007/api/catalog/entities/by-name/group/default/a',
        500,
        'Internal Server Error',
      ),
    );
    expect(error?.name).toBe('ServiceUnavailableError');
    expect(error?.message).toBe(
      'The catalog is unavailable (it answered 500 Internal Server Error); try again shortly',
    );
  });

  it('names any other plugin by its id', async () => {
    const error = backstageServiceUnavailable(
      await responseError(
        'http://b/api/user-settings/x',
        503,
        'Service Unavailable',
      ),
    );
    expect(error?.message).toBe(
      "Backstage's user-settings service is unavailable (it answered 503 Service Unavailable); try again shortly",
    );
  });

  it("names the catalog when its answer was cut off (node-fetch's FetchError)", () => {
    const cutOff = Object.assign(
      new Error(
        'invalid json response body at http://127.0.0.1:7007/api/catalog/entities?filter=kind%3Dgroup reason: Unexpected end of JSON input',
      ),
      { name: 'FetchError', type: 'invalid-json' },
    );
    expect(backstageServiceUnavailable(cutOff)?.message).toBe(
      'The catalog is unavailable (its answer was cut off); try again shortly',
    );
    const notReached = Object.assign(
      new Error(
        'request to http://127.0.0.1:7007/api/permission/authorize failed, reason: connect ECONNREFUSED',
      ),
      { name: 'FetchError', type: 'system', code: 'ECONNREFUSED' },
    );
    expect(backstageServiceUnavailable(notReached)?.message).toBe(
      'The permission service is unavailable (ECONNREFUSED); try again shortly',
    );
  });

  it('leaves 4xx answers, and other errors, alone', async () => {
    expect(
      backstageServiceUnavailable(
        await responseError('http://b/api/catalog/x', 404, 'Not Found'),
      ),
    ).toBeUndefined();
    expect(backstageServiceUnavailable(new Error('x'))).toBeUndefined();
  });
});

describe('dependencyErrorsAsUnavailable', () => {
  function app(thrown: Error) {
    const router = express.Router();
    router.get('/x', () => {
      throw thrown;
    });
    router.use(dependencyErrorsAsUnavailable());
    const server = express();
    server.use(router);
    server.use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.rootLogger(),
      }).error(),
    );
    return server;
  }

  it('answers 503 naming the database for a refused connection', async () => {
    const res = await request(app(refused())).get('/x');
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual(
      expect.objectContaining({
        name: 'ServiceUnavailableError',
        message:
          'The database is unavailable (ECONNREFUSED); try again shortly',
      }),
    );
  });

  it('answers 503 naming the catalog when the catalog fails', async () => {
    const res = await request(
      app(
        await responseError(
          'http://localhost:7007/api/catalog/entities',
          500,
          'Internal Server Error',
        ),
      ),
    ).get('/x');
    expect(res.status).toBe(503);
    expect(res.body.error.message).toBe(
      'The catalog is unavailable (it answered 500 Internal Server Error); try again shortly',
    );
  });

  it('passes other errors on as they are', async () => {
    const res = await request(app(new InputError('Invalid range'))).get('/x');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Invalid range');
  });
});
