import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  aiTelemetryRawQueryPermission,
  aiTelemetryTeamReadPermission,
  PANEL_IDS,
  PanelId,
  RawQueryRequest,
} from '@fawkes/plugin-ai-telemetry-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { jsonBody } from '../http/jsonBody';
import { parseRequest } from '../http/validation';
import { QueryService } from './QueryService';

const rawQueryRequest: z.ZodType<RawQueryRequest> = z.strictObject({
  query: z.string(),
  start: z.union([z.string(), z.number()]),
  end: z.union([z.string(), z.number()]),
  step: z.union([z.string(), z.number()]),
});

/**
 * The query routes: the organisation dashboard and its panels for any signed-in caller, a
 * Group's dashboard for holders of `ai-telemetry.team.read`, and raw PromQL for holders of
 * `ai-telemetry.query.raw`. Parameters are validated here; the QueryService builds every query.
 */
export function createQueryRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  queries: QueryService;
}): express.Router {
  const { httpAuth, permissions, queries } = options;
  const router = Router();

  async function authorized(
    req: Request,
    permission: BasicPermission,
  ): Promise<BackstageCredentials> {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`This needs the permission ${permission.name}`);
    }
    return credentials;
  }

  router.get('/v1/dashboard', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const request = queries.parseRequest(req.query);
    res.json(await queries.dashboard(request, credentials));
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
    res.json(await queries.panel(id as PanelId, request, credentials));
  });

  router.get('/v1/teams/:namespace/:name/dashboard', async (req, res) => {
    const credentials = await authorized(req, aiTelemetryTeamReadPermission);
    const request = queries.parseRequest(req.query);
    const { namespace, name } = req.params;
    res.json(
      await queries.teamDashboard({ namespace, name }, request, credentials),
    );
  });

  router.post(
    '/v1/query',
    ...jsonBody({
      limitBytes: 32 * 1024,
      tooLargeHint:
        'the body is { query, start, end, step }, the query at most 10000 characters',
    }),
    async (req, res) => {
      await authorized(req, aiTelemetryRawQueryPermission);
      const body = parseRequest(rawQueryRequest, req.body, 'query request');
      res.json(await queries.rawQuery(body));
    },
  );

  return router;
}
