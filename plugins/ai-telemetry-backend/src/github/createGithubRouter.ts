import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  aiTelemetryDataErasePermission,
  aiTelemetryRawQueryPermission,
} from '@fawkes/plugin-ai-telemetry-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { userOf } from '../http/callers';
import { refuseNamedUser } from '../privacy/createPrivacyRouter';
import { GithubImportService } from './GithubImportService';

/** Who sees why the import fails: holders of either admin permission (users only). */
const ADMIN_PERMISSIONS: BasicPermission[] = [
  aiTelemetryRawQueryPermission,
  aiTelemetryDataErasePermission,
];

/**
 * The GitHub Copilot import's routes: its state (`GET /v1/github/status`) and the seat counts
 * (`GET /v1/github/seats`) for any signed-in user or service, and the caller's own import
 * (`GET /v1/me/github`) for users. No route answers anything about another developer.
 */
export function createGithubRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  github: GithubImportService;
}): express.Router {
  const { httpAuth, permissions, github } = options;
  const router = Router();

  /** Whether the caller is a telemetry admin (a user holding an admin permission). */
  async function isAdmin(req: Request): Promise<boolean> {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    // Services pass every permission check in Backstage: they are never admins here.
    if (credentials.principal.type !== 'user') return false;
    const decisions = await permissions.authorize(
      ADMIN_PERMISSIONS.map(permission => ({ permission })),
      { credentials },
    );
    return decisions.some(d => d.result === AuthorizeResult.ALLOW);
  }

  router.get('/v1/github/status', async (req, res) => {
    res.json(await github.status(await isAdmin(req)));
  });

  router.get('/v1/github/seats', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(await github.seats());
  });

  router.get('/v1/me/github', async (req, res) => {
    const userEntityRef = await userOf(httpAuth, req);
    refuseNamedUser('GET /v1/me/github', req.query);
    res.json(await github.me(userEntityRef));
  });

  return router;
}
