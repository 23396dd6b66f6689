import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  aiTelemetryRawQueryPermission,
  aiTelemetryTeamReadPermission,
  PANEL_IDS,
  PanelId,
  RawQueryRequest,
} from '@fawkes/plugin-ai-telemetry-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { requirePermission } from '../http/authorize';
import { tooManyRequests } from '../http/errors';
import { jsonBody } from '../http/jsonBody';
import { ConcurrencyLimiter } from '../http/rateLimit';
import { parseRequest } from '../http/validation';
import { AuditLog } from '../audit/AuditLog';
import { DEFAULT_LIMITS } from '../config/AiTelemetryConfig';
import { UpstreamTimeoutError } from '../upstream/errors';
import { SerialisedAnswer } from './AnswerCache';
import { QueryService } from './QueryService';
import { validateGroupRef } from './groupRef';
import { teamReadCheck } from './teamAccess';

/**
 * Sends a serialised answer: 304 when the client holds it already (its ETag), gzip when the
 * client takes it (the compression middleware leaves an encoded body alone), else the JSON.
 */
function sendAnswer(
  req: express.Request,
  res: express.Response,
  answer: SerialisedAnswer,
): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('ETag', answer.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  if (req.fresh) {
    res.status(304).end();
  } else if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    res.setHeader('Content-Encoding', 'gzip');
    res.end(answer.gzip());
  } else {
    res.end(answer.json);
  }
}

/** The audit log's subject for what concerns the organisation rather than one person. */
export const ORGANISATION_SUBJECT = 'organisation';

/** When a user at their limit of raw queries at once is told to try again, in seconds. */
const RAW_QUERY_RETRY_SECONDS = 2;

/**
 * `work`'s answer, or a 504 once `seconds` have passed; `settled` runs when the work is over,
 * answered in time or not.
 */
function withDeadline<T>(
  work: Promise<T>,
  seconds: number,
  settled: () => void,
): Promise<T> {
  work.then(settled, settled);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UpstreamTimeoutError(
            `The raw query took longer than ${seconds} s ` +
              '(aiTelemetry.limits.rawQueries.timeoutSeconds); narrow its range, make its step ' +
              'coarser or read the recording rules',
          ),
        ),
      seconds * 1000,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const rawQueryRequest: z.ZodType<RawQueryRequest> = z.strictObject({
  query: z.string(),
  start: z.union([z.string(), z.number()]),
  end: z.union([z.string(), z.number()]),
  step: z.union([z.string(), z.number()]),
});

/** The parser of `POST /v1/query`'s body (the router also runs it before validation). */
export const rawQueryRequestBody = jsonBody({
  limitBytes: 32 * 1024,
  tooLargeHint:
    'the body is { query, start, end, step }, the query at most 10000 characters',
});

/**
 * The query routes: the organisation dashboard and its panels for any signed-in caller (its
 * team comparison showing the Groups on which the caller holds `ai-telemetry.team.read`), a
 * Group's dashboard for holders of `ai-telemetry.team.read` on that Group, and raw PromQL for
 * holders of `ai-telemetry.query.raw` (every attempt audit-logged: who and the query, written
 * while Prometheus evaluates it and before any answer; one not answered a second time, with
 * why), at most `concurrentRawQueries` at once per user (a 429 beyond), each answered within
 * `rawQueryTimeoutSeconds` or a 504 (the user's slot is held until Prometheus is done with
 * it). Parameters are validated here; the QueryService builds every query.
 */
export function createQueryRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  queries: QueryService;
  audit: AuditLog;
  /** `aiTelemetry.limits.rawQueries.concurrent`; 2 by default. */
  concurrentRawQueries?: number;
  /** `aiTelemetry.limits.rawQueries.timeoutSeconds`; 10 by default. */
  rawQueryTimeoutSeconds?: number;
}): express.Router {
  const { httpAuth, permissions, queries, audit } = options;
  const timeoutSeconds =
    options.rawQueryTimeoutSeconds ?? DEFAULT_LIMITS.rawQueries.timeoutSeconds;
  const running = new ConcurrencyLimiter(
    options.concurrentRawQueries ?? DEFAULT_LIMITS.rawQueries.concurrent,
  );
  const router = Router();

  router.get('/v1/dashboard', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const request = queries.parseRequest(req.query);
    sendAnswer(
      req,
      res,
      await queries.dashboardAnswer(
        request,
        credentials,
        teamReadCheck(permissions, credentials),
      ),
    );
  });

  router.get('/v1/panels/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const id = req.params.id;
    if (!PANEL_IDS.includes(id as PanelId)) {
      throw new NotFoundError(
        `There is no panel ${JSON.stringify(
          id.slice(0, 64),
        )}; the panels are ${PANEL_IDS.join(', ')}`,
      );
    }
    const request = queries.parseRequest(req.query);
    res.json(
      await queries.panel(
        id as PanelId,
        request,
        credentials,
        teamReadCheck(permissions, credentials),
      ),
    );
  });

  router.get('/v1/teams/:namespace/:name/dashboard', async (req, res) => {
    // Users only: Backstage lets service principals pass every permission check.
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { namespace, name } = req.params;
    validateGroupRef({ namespace, name });
    await requirePermission(
      permissions,
      credentials,
      aiTelemetryTeamReadPermission,
      stringifyEntityRef({ kind: 'group', namespace, name }),
    );
    const request = queries.parseRequest(req.query);
    sendAnswer(
      req,
      res,
      await queries.teamDashboardAnswer(
        { namespace, name },
        request,
        credentials,
      ),
    );
  });

  router.post('/v1/query', ...rawQueryRequestBody, async (req, res) => {
    // Users only: Backstage lets service principals pass every permission check.
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await requirePermission(
      permissions,
      credentials,
      aiTelemetryRawQueryPermission,
    );
    const body = parseRequest(rawQueryRequest, req.body, 'query request');
    const attempt = {
      action: 'raw_query',
      actor: credentials.principal.userEntityRef,
      subject: ORGANISATION_SUBJECT,
      request: req,
    } as const;
    const notAnswered = (error: Error) =>
      `not answered (${error.name}): ${body.query}`;
    const release = running.tryAcquire(attempt.actor);
    if (!release) {
      const error = tooManyRequests(
        res,
        `Too many raw queries at once: a user may run ${running.max} at a time ` +
          '(aiTelemetry.limits.rawQueries.concurrent); wait for one to finish',
        RAW_QUERY_RETRY_SECONDS,
      );
      await audit.record({ ...attempt, detail: notAnswered(error), error });
      throw error;
    }
    // Recorded while Prometheus evaluates it, and answered only once it is on record.
    const answer = await audit.attempt(
      { ...attempt, detail: `asked: ${body.query}` },
      () => withDeadline(queries.rawQuery(body), timeoutSeconds, release),
      notAnswered,
    );
    // Written as is, without Express's ETag: a raw query's answer is not asked for twice.
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(answer));
  });

  return router;
}
