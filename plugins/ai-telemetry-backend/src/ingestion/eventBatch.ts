import {
  ACTIVITIES,
  BATCH_ID_PATTERN,
  FEATURES,
  INGEST_LIMITS,
  IngestEventsRequest,
  LABEL_VALUE_PATTERN,
} from '@fawkes/plugin-ai-telemetry-common';
import { z } from 'zod';
import { PayloadTooLargeError } from '../http/errors';
import { parseRequest } from '../http/validation';

const labelValue = z
  .string()
  .regex(
    LABEL_VALUE_PATTERN,
    'is not an identifier: a letter or digit, then letters, digits, _ . + # - (at most 40 characters)',
  );
const count = z.number().int().min(1).max(INGEST_LIMITS.maxCount);

const suggestionEvent = z.strictObject({
  kind: z.literal('suggestion'),
  language: labelValue,
  accepted: z.boolean(),
  lines: z.number().int().min(0).max(INGEST_LIMITS.maxLines).optional(),
  waitMs: z.number().min(0).max(INGEST_LIMITS.maxWaitMs).optional(),
  activity: z.enum(ACTIVITIES).optional(),
  assistant: labelValue.optional(),
  count: count.optional(),
});

const featureEvent = z.strictObject({
  kind: z.literal('feature'),
  feature: z.enum(FEATURES),
  assistant: labelValue.optional(),
  count: count.optional(),
});

const timeSavedEvent = z.strictObject({
  kind: z.literal('time_saved'),
  activity: z.enum(ACTIVITIES),
  seconds: z.number().min(0).max(INGEST_LIMITS.maxSeconds),
  assistant: labelValue.optional(),
});

const eventBatch = z.strictObject({
  batchId: z
    .string()
    .regex(
      BATCH_ID_PATTERN,
      'is not a batch id: 1 to 128 characters of letters, digits, _ and -',
    ),
  events: z
    .array(
      z.discriminatedUnion('kind', [
        suggestionEvent,
        featureEvent,
        timeSavedEvent,
      ]),
    )
    .min(1),
});

/**
 * Validates the body of `POST /v1/events`: a 413 for more events than a batch may hold, an
 * InputError naming the offending fields for anything else wrong.
 */
export function parseEventBatch(body: unknown): IngestEventsRequest {
  const events = (body as { events?: unknown } | null)?.events;
  if (
    Array.isArray(events) &&
    events.length > INGEST_LIMITS.maxEventsPerBatch
  ) {
    throw new PayloadTooLargeError(
      `The batch holds ${events.length} events, over the limit of ${INGEST_LIMITS.maxEventsPerBatch} events a batch: split it`,
    );
  }
  return parseRequest(eventBatch, body, 'event batch');
}

/**
 * What a batch costs of a developer's ingestion budget: its events, each counted `count`
 * times (the suggestions or invocations it stands for).
 */
export function countedEvents(batch: IngestEventsRequest): number {
  return batch.events.reduce(
    (sum, event) => sum + ('count' in event ? event.count ?? 1 : 1),
    0,
  );
}
