import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { createGzip } from 'zlib';
import { z } from 'zod';
import { parseRequest } from '../http/validation';
import { EXPOSITION_CONTENT_TYPE } from './exposition';
import { MetricsService, Shard, SHARD_COUNTS } from './MetricsService';

/** `?shard=I&shards=N`: serve part I of N (both optional: the whole endpoint). */
const shardQuery = z.strictObject({
  shards: z.coerce
    .number()
    .int()
    .refine(n => (SHARD_COUNTS as readonly number[]).includes(n), {
      message: `must be one of ${SHARD_COUNTS.join(', ')}`,
    })
    .default(1),
  shard: z.coerce.number().int().min(0).default(0),
});

/**
 * `GET /v1/metrics`, for Prometheus alone: only the service principal `scrapeSubject` (a static
 * external-access token restricted to this plugin) may read it; every user is refused.
 * `?shard=I&shards=N` serves one of N parts, split by pseudonym.
 */
export function createMetricsRouter(options: {
  httpAuth: HttpAuthService;
  metrics: MetricsService;
  scrapeSubject: string;
}): express.Router {
  const { httpAuth, metrics, scrapeSubject } = options;
  const router = Router();

  router.get('/v1/metrics', async (req, res) => {
    const { principal } = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    if (principal.type !== 'service' || principal.subject !== scrapeSubject) {
      const who =
        principal.type === 'user'
          ? `user ${principal.userEntityRef}`
          : `service ${principal.subject}`;
      throw new NotAllowedError(
        `The metrics endpoint serves per-user counters to Prometheus only: it accepts the ` +
          `external-access token of subject "${scrapeSubject}", not ${who}`,
      );
    }

    const { shard, shards } = parseRequest(shardQuery, req.query, 'scrape');
    if (shard >= shards) {
      throw new InputError(
        `Invalid scrape: shard must be below shards (${shards}), got ${shard}`,
      );
    }
    const scrape = await metrics.scrape({
      shard: { index: shard, count: shards as Shard['count'] },
    });
    res.status(200);
    res.setHeader('Content-Type', EXPOSITION_CONTENT_TYPE);
    res.setHeader('Vary', 'Accept-Encoding');
    // Prometheus asks for gzip. Compressing here at level 1 costs a fifth of the root router's
    // default level for a body of tens of megabytes, and the root router then leaves it alone.
    const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    if (gzip) {
      res.setHeader('Content-Encoding', 'gzip');
    }
    const body = Readable.from(scrape.chunks(), { objectMode: false });
    try {
      await (gzip
        ? pipeline(body, createGzip({ level: 1 }), res)
        : pipeline(body, res));
    } catch {
      // The scraper went away: this response did not serve anything.
      return;
    }
    // Only a response that went out whole starts the hold of the counters it served at 0.
    await scrape.delivered();
  });

  return router;
}
