/**
 * The differences between the databases the plugin runs on. Column values as the drivers
 * return them: PostgreSQL gives Date, boolean and (for bigint) string; SQLite gives epoch
 * milliseconds, 0/1 and number.
 */
import { Knex } from 'knex';

/** Whether the client talks to PostgreSQL (which has row locks; SQLite serialises writers). */
export function isPostgres(knex: Knex): boolean {
  return knex.client.config.client === 'pg';
}

export function toDate(value: Date | number | string): Date {
  return value instanceof Date ? value : new Date(value);
}

export function toOptionalDate(
  value: Date | number | string | null | undefined,
): Date | undefined {
  return value === null || value === undefined ? undefined : toDate(value);
}

export function toBoolean(value: boolean | number | string): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

export function toNumber(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}
