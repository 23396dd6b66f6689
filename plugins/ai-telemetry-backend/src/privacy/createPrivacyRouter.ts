import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  KubernetesValidatorFunctions,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AdminErasureRequest,
  aiTelemetryDataErasePermission,
  ErasureJobsResponse,
  MY_DATA_FORMATS,
} from '@fawkes/plugin-ai-telemetry-common';
import express, { Request, RequestHandler } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { requirePermission } from '../http/authorize';
import { userOf } from '../http/callers';
import { jsonBody } from '../http/jsonBody';
import { parseRequest } from '../http/validation';
import { AuditLog } from '../audit/AuditLog';
import { ErasureService } from './ErasureService';
import { myDataCsv } from './myDataCsv';
import { MyDataService } from './MyDataService';

/** Ways a request could try to name whose data it means; /me routes take the token's user only. */
const IDENTITY_FIELDS = [
  'user',
  'userEntityRef',
  'entityRef',
  'userHash',
  'user_hash',
  'pseudonym',
];

/** A 403 for a /me request that names a user: identity comes from the Backstage token alone. */
export function refuseNamedUser(
  where: string,
  fields: Record<string, unknown>,
) {
  const named = IDENTITY_FIELDS.filter(f => fields[f] !== undefined);
  if (named.length > 0) {
    throw new NotAllowedError(
      `${where} concerns the caller alone, as their Backstage token identifies them; it takes no ` +
        `${named.join(', ')}. Administrators holding ${
          aiTelemetryDataErasePermission.name
        } ` +
        'erase on a user’s behalf with POST /v1/admin/erasure.',
    );
  }
}

const myDataQuery = z.strictObject({
  format: z.enum(MY_DATA_FORMATS).default('json'),
});

const adminErasureRequest: z.ZodType<AdminErasureRequest> = z.strictObject({
  userEntityRef: z.string().min(1).max(255),
  reason: z.string().max(1000).optional(),
});

const adminErasureQuery = z.strictObject({
  userEntityRef: z.string().min(1).max(255),
});

const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z
    .string()
    .regex(/^\d{1,18}$/, { message: 'must be an audit entry id' })
    .optional(),
  subject: z.string().min(1).max(255).optional(),
});

/** `user:default/jane.doe` in its canonical form; a 400 for anything but a User's ref. */
function userRef(text: string, field: string): string {
  let ref;
  try {
    ref = parseEntityRef(text);
  } catch {
    throw new InputError(
      `Invalid ${field}: ${JSON.stringify(
        text,
      )} is not an entity ref like user:default/jane.doe`,
    );
  }
  if (ref.kind.toLocaleLowerCase('en-US') !== 'user') {
    throw new InputError(
      `Invalid ${field}: ${JSON.stringify(text)} is a ${ref.kind}, not a User`,
    );
  }
  if (
    !KubernetesValidatorFunctions.isValidNamespace(ref.namespace) ||
    !KubernetesValidatorFunctions.isValidObjectName(ref.name)
  ) {
    throw new InputError(
      `Invalid ${field}: ${JSON.stringify(
        text.slice(0, 255),
      )} is not a catalog entity ref (namespace and name: letters, digits, - _ . only)`,
    );
  }
  return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
}

/** A JSON body, or none at all (the portal posts an erasure request without one). */
function optionalJsonBody(): RequestHandler {
  const [, parse] = jsonBody({
    limitBytes: 4 * 1024,
    tooLargeHint: 'the body is empty or {}',
  });
  return (req, res, next) => {
    const json = req.is('application/json');
    if (json === null || req.headers['content-length'] === '0') {
      req.body = {};
      next();
    } else if (json) {
      parse(req, res, next);
    } else {
      next(
        new InputError(
          `The request body must be empty or JSON sent with Content-Type: application/json (got ${req.headers['content-type']})`,
        ),
      );
    }
  };
}

/** The parsers of the privacy routes' bodies (the router also runs them before validation). */
export const myErasureRequestBody = [optionalJsonBody()];
export const adminErasureRequestBody = jsonBody({
  limitBytes: 4 * 1024,
  tooLargeHint:
    'the body is { "userEntityRef": "user:default/…", "reason": "…" }',
});

/**
 * The privacy routes (docs/privacy-model.md#my-data, #erasure, #audit-log): the caller's own
 * data and erasure (`/v1/me/data`, `/v1/me/erasure`), and erasure on a user's behalf and the
 * audit log for holders of `ai-telemetry.data.erase` (`/v1/admin/erasure`, `/v1/admin/audit`).
 * Users only: a telemetry token or a service token is refused.
 */
export function createPrivacyRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  myData: MyDataService;
  erasure: ErasureService;
  audit: AuditLog;
}): express.Router {
  const { httpAuth, permissions, myData, erasure, audit } = options;
  const router = Router();

  const callerOf = (req: Request) => userOf(httpAuth, req);

  /** The caller, once the permission policy allowed them to erase others' data. */
  async function eraseAdministrator(req: Request): Promise<string> {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await requirePermission(
      permissions,
      credentials,
      aiTelemetryDataErasePermission,
    );
    return credentials.principal.userEntityRef;
  }

  router.get('/v1/me/data', async (req, res) => {
    const userEntityRef = await callerOf(req);
    refuseNamedUser('GET /v1/me/data', req.query);
    const { format } = parseRequest(myDataQuery, req.query, 'export');
    const data = await myData.export({ userEntityRef, format, request: req });
    if (format === 'json') {
      res.json(data);
      return;
    }
    const day = new Date().toISOString().slice(0, 10);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="ai-telemetry-my-data-${day}.csv"`,
    );
    res.send(myDataCsv(data));
  });

  router.get('/v1/me/erasure', async (req, res) => {
    const userEntityRef = await callerOf(req);
    refuseNamedUser('GET /v1/me/erasure', req.query);
    const body: ErasureJobsResponse = {
      jobs: await erasure.jobsOf(userEntityRef),
    };
    res.json(body);
  });

  router.post('/v1/me/erasure', ...myErasureRequestBody, async (req, res) => {
    const userEntityRef = await callerOf(req);
    refuseNamedUser('POST /v1/me/erasure', { ...req.query, ...req.body });
    parseRequest(z.strictObject({}), req.body, 'erasure request');
    const job = await erasure.request({
      userEntityRef,
      requestedBy: userEntityRef,
      request: req,
    });
    res.status(202).json(job);
  });

  router.post(
    '/v1/admin/erasure',
    ...adminErasureRequestBody,
    async (req, res) => {
      const administrator = await eraseAdministrator(req);
      const body = parseRequest(
        adminErasureRequest,
        req.body,
        'erasure request',
      );
      const job = await erasure.requestOnBehalf({
        userEntityRef: userRef(
          body.userEntityRef,
          'erasure request: userEntityRef',
        ),
        requestedBy: administrator,
        reason: body.reason,
        request: req,
      });
      res.status(202).json(job);
    },
  );

  router.get('/v1/admin/erasure', async (req, res) => {
    await eraseAdministrator(req);
    const query = parseRequest(adminErasureQuery, req.query, 'erasure query');
    const body: ErasureJobsResponse = {
      jobs: await erasure.jobsOf(
        userRef(query.userEntityRef, 'erasure query: userEntityRef'),
      ),
    };
    res.json(body);
  });

  router.get('/v1/admin/audit', async (req, res) => {
    await eraseAdministrator(req);
    const query = parseRequest(auditQuery, req.query, 'audit query');
    res.json(
      await audit.list({
        limit: query.limit,
        before: query.before,
        subject:
          query.subject === undefined
            ? undefined
            : userRef(query.subject, 'audit query: subject'),
      }),
    );
  });

  return router;
}
