import { HttpAuthService } from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import { Request } from 'express';
import { isTelemetryToken } from '../optIn/telemetryTokens';
import { IngestionService } from './IngestionService';

/**
 * Who sends telemetry: the owner of a telemetry token, or the user of a Backstage user token.
 * Used by the ingestion routes, whose auth policy is `unauthenticated` so that a telemetry
 * token (not a Backstage token) reaches them; `missingTokenHint` says how to send the token.
 */
export async function telemetryCallerOf(
  req: Request,
  options: {
    httpAuth: HttpAuthService;
    ingestion: Pick<IngestionService, 'authenticateToken'>;
    missingTokenHint: string;
  },
): Promise<string> {
  const match = req.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match) {
    throw new AuthenticationError(
      `Missing bearer token: ${options.missingTokenHint}`,
    );
  }
  const token = match[1];
  if (isTelemetryToken(token)) {
    return options.ingestion.authenticateToken(token);
  }
  try {
    const { principal } = await options.httpAuth.credentials(req, {
      allow: ['user'],
    });
    return principal.userEntityRef;
  } catch (error) {
    if ((error as Error)?.name === 'AuthenticationError') {
      throw new AuthenticationError(
        'Invalid bearer token: it is neither a telemetry token (fat_…) nor a valid ' +
          'Backstage user token',
        error,
      );
    }
    throw error;
  }
}
