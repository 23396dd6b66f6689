// @ts-check

/**
 * The GitHub Copilot import (docs/architecture.md#the-github-copilot-import): a ledger of the
 * report days imported per pseudonym (with the samples each wrote to Prometheus, so that a write
 * cut short is repeated exactly), the running totals of the imported series, and the import's
 * own state (last run, last error, the seat counts). No GitHub login is stored anywhere.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('github_import_ledger', table => {
    table.comment(
      'Report days imported per pseudonym: each counted once, in one transaction with the totals',
    );
    table
      .string('day', 10)
      .notNullable()
      .comment('The UTC day of the report (YYYY-MM-DD)');
    table.string('user_hash', 64).notNullable().index();
    table
      .boolean('active')
      .notNullable()
      .comment('Whether the report had a line for the developer that day');
    table
      .text('samples')
      .notNullable()
      .comment(
        'The series the day added to, with their totals before and after, as JSON (what is written to Prometheus)',
      );
    table.timestamp('imported_at', { useTz: true }).notNullable();
    table
      .timestamp('written_at', { useTz: true })
      .nullable()
      .comment('When Prometheus took the samples; null until then')
      .index();
    table.primary(['day', 'user_hash']);
  });

  await knex.schema.createTable('github_counters', table => {
    table.comment(
      'Running totals of the imported series per pseudonym (the values written to Prometheus)',
    );
    table.string('user_hash', 64).notNullable();
    table.string('metric', 64).notNullable();
    table
      .string('labels', 255)
      .notNullable()
      .comment('The label values besides user_hash, as canonical JSON');
    table.bigInteger('value_milli').notNullable();
    table
      .string('through_day', 10)
      .notNullable()
      .comment('The latest report day that added to it');
    table.primary(['user_hash', 'metric', 'labels']);
  });

  await knex.schema.createTable('github_coverage', table => {
    table.comment(
      'The developers the import covers now, and from which day: so that no day is counted by the import and the clients both',
    );
    table.string('user_hash', 64).primary();
    table
      .string('since_day', 10)
      .notNullable()
      .comment(
        'The first report day imported: backfillDays ago, or the day after coverage began when clients had already counted Copilot',
      );
    table.timestamp('created_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('github_import_state', table => {
    table.comment(
      'State of the import, shared by every instance: runs, last error, seat counts (no logins)',
    );
    table.string('name', 32).primary();
    table.text('value').notNullable().comment('JSON');
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('github_import_state');
  await knex.schema.dropTable('github_coverage');
  await knex.schema.dropTable('github_counters');
  await knex.schema.dropTable('github_import_ledger');
};
