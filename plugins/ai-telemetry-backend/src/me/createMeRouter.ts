import { HttpAuthService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  OptInChangeRequest,
  OptOutWithErasureResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { jsonBody } from '../http/jsonBody';
import { parseRequest } from '../http/validation';
import { AuditLog } from '../privacy/AuditLog';
import { ErasureService } from '../privacy/ErasureService';
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

/**
 * The caller's own registration: `GET /v1/me`, `PUT /v1/me/opt-in` (which can also start an
 * erasure of the caller's data), `POST /v1/me/token`. The identity always comes from the
 * Backstage user token, never from the request. Every change is audit-logged.
 */
export function createMeRouter(options: {
  httpAuth: HttpAuthService;
  optIns: OptInService;
  erasure: Pick<ErasureService, 'request' | 'hasOpenJob'>;
  audit: AuditLog;
}): express.Router {
  const { httpAuth, optIns, erasure, audit } = options;
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
      const { enabled, erase } = parseRequest(
        optInRequest,
        req.body,
        'opt-in request',
      );
      const action = {
        actor: userEntityRef,
        subject: userEntityRef,
        request: req,
      };
      if (enabled) {
        if (await erasure.hasOpenJob(userEntityRef)) {
          throw new ConflictError(
            `An erasure of ${userEntityRef}'s data is under way; opt in again once it is done (see GET /v1/me/erasure)`,
          );
        }
        res.json(
          await audit.track(
            { ...action, action: 'opt_in' },
            () => optIns.optIn(userEntityRef),
            () => 'telemetry on; a new telemetry token issued',
          ),
        );
        return;
      }
      const me = await audit.track(
        { ...action, action: 'opt_out' },
        () => optIns.optOut(userEntityRef),
        () =>
          `telemetry off; every telemetry token revoked${
            erase ? '; erasure requested' : ''
          }`,
      );
      if (!erase) {
        res.json(me);
        return;
      }
      const body: OptOutWithErasureResponse = {
        ...me,
        erasureJob: await erasure.request({
          userEntityRef,
          requestedBy: userEntityRef,
          request: req,
        }),
      };
      res.status(202).json(body);
    },
  );

  router.post('/v1/me/token', async (req, res) => {
    const userEntityRef = await callerOf(req);
    res.json(
      await audit.track(
        {
          action: 'token_rotated',
          actor: userEntityRef,
          subject: userEntityRef,
          request: req,
        },
        () => optIns.rotateToken(userEntityRef),
        () => 'a new telemetry token issued; the previous one revoked',
      ),
    );
  });

  return router;
}
