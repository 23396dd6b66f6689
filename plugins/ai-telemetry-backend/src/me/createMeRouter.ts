import { HttpAuthService } from '@backstage/backend-plugin-api';
import { OptInRequest } from '@fawkes/plugin-ai-telemetry-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { jsonBody } from '../http/jsonBody';
import { parseRequest } from '../http/validation';
import { OptInService } from './OptInService';

// Issue 5 adds `erase` (opt-out with erasure) here.
const optInRequest: z.ZodType<OptInRequest> = z.strictObject({
  enabled: z.boolean(),
});

/**
 * The caller's own registration: `GET /v1/me`, `PUT /v1/me/opt-in`, `POST /v1/me/token`. The
 * identity always comes from the Backstage user token, never from the request.
 */
export function createMeRouter(options: {
  httpAuth: HttpAuthService;
  optIns: OptInService;
}): express.Router {
  const { httpAuth, optIns } = options;
  const router = Router();

  async function callerOf(req: Request): Promise<string> {
    const { principal } = await httpAuth.credentials(req, { allow: ['user'] });
    return principal.userEntityRef;
  }

  router.get('/v1/me', async (req, res) => {
    res.json(await optIns.me(await callerOf(req)));
  });

  router.put(
    '/v1/me/opt-in',
    ...jsonBody({
      limitBytes: 4 * 1024,
      tooLargeHint: 'the body is { "enabled": true } or { "enabled": false }',
    }),
    async (req, res) => {
      const userEntityRef = await callerOf(req);
      const { enabled } = parseRequest(
        optInRequest,
        req.body,
        'opt-in request',
      );
      res.json(
        enabled
          ? await optIns.optIn(userEntityRef)
          : await optIns.optOut(userEntityRef),
      );
    },
  );

  router.post('/v1/me/token', async (req, res) => {
    res.json(await optIns.rotateToken(await callerOf(req)));
  });

  return router;
}
