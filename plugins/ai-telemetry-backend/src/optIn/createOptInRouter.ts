import { HttpAuthService } from '@backstage/backend-plugin-api';
import { OptInChangeRequest } from '@fawkes/plugin-ai-telemetry-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { jsonBody } from '../http/jsonBody';
import { userOf } from '../http/callers';
import { parseRequest } from '../http/validation';
import { OptInService } from './OptInService';

const optInRequest: z.ZodType<OptInChangeRequest> = z
  .strictObject({
    enabled: z.boolean(),
    erase: z.boolean().optional(),
  })
  .refine(body => !(body.enabled && body.erase), {
    message: 'is allowed only with enabled: false',
    path: ['erase'],
  });

/** The parser of `PUT /v1/me/opt-in`'s body (the router also runs it before validation). */
export const optInRequestBody = jsonBody({
  limitBytes: 4 * 1024,
  tooLargeHint: 'the body is { "enabled": true } or { "enabled": false }',
});

/**
 * The caller's own registration: `GET /v1/me`, `PUT /v1/me/opt-in` (which can also start an
 * erasure of the caller's data), `POST /v1/me/token`. The identity always comes from the
 * Backstage user token, never from the request; the OptInService carries out and audits each
 * change.
 */
export function createOptInRouter(options: {
  httpAuth: HttpAuthService;
  optIns: OptInService;
}): express.Router {
  const { httpAuth, optIns } = options;
  const router = Router();

  router.get('/v1/me', async (req, res) => {
    res.json(await optIns.me(await userOf(httpAuth, req)));
  });

  router.put('/v1/me/opt-in', ...optInRequestBody, async (req, res) => {
    const userEntityRef = await userOf(httpAuth, req);
    const change = parseRequest(optInRequest, req.body, 'opt-in request');
    const result = await optIns.change(userEntityRef, change, req);
    res.status('erasureJob' in result ? 202 : 200).json(result);
  });

  router.post('/v1/me/token', async (req, res) => {
    const userEntityRef = await userOf(httpAuth, req);
    res.json(await optIns.renewToken(userEntityRef, req));
  });

  return router;
}
