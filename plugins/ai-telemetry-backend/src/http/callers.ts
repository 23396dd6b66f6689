import { HttpAuthService } from '@backstage/backend-plugin-api';
import { Request } from 'express';

/**
 * The signed-in user making the request, as their Backstage token says: a 401 for anything but
 * a user token. Identity never comes from the request's body or query.
 */
export async function userOf(
  httpAuth: HttpAuthService,
  req: Request,
): Promise<string> {
  const { principal } = await httpAuth.credentials(req, { allow: ['user'] });
  return principal.userEntityRef;
}
