// @ts-check

/**
 * The OTLP receiver (docs/architecture.md#otlp-metrics): the state of every metric stream an
 * assistant exports, so that a retried export and cumulative points count once, and the data
 * points it refused, by reason, which every backend instance serves alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('otlp_streams', table => {
    table.comment(
      'Per pseudonym, the state of each OTLP metric stream: no attribute value, only a keyed hash of the stream identity',
    );
    table
      .string('user_hash', 64)
      .notNullable()
      .comment('The pseudonym of the token owner who exported the stream');
    table
      .string('stream_id', 64)
      .notNullable()
      .comment(
        'HMAC-SHA256 under the pseudonym key of the pseudonym and the stream identity (metric, resource, scope, attributes)',
      );
    table
      .string('temporality', 16)
      .notNullable()
      .comment('delta or cumulative');
    table
      .string('run_start', 20)
      .notNullable()
      .comment(
        'start_time_unix_nano of the current run of the stream, in decimal',
      );
    table
      .string('last_end', 20)
      .notNullable()
      .comment('time_unix_nano of the newest point counted, in decimal');
    table
      .double('total')
      .notNullable()
      .comment(
        "The run's total so far: the sum of delta points, or the last cumulative value",
      );
    table
      .text('intervals')
      .nullable()
      .comment(
        'Delta streams: the recent [start, end] intervals counted, as JSON, to recognise retries',
      );
    table.timestamp('updated_at', { useTz: true }).notNullable().index();
    table.primary(['user_hash', 'stream_id']);
  });

  await knex.schema.createTable('otlp_dropped_points', table => {
    table.comment(
      'OTLP data points refused and never stored, by reason (no user, no attribute)',
    );
    table.string('reason', 32).primary();
    table.bigInteger('points').notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('otlp_dropped_points');
  await knex.schema.dropTable('otlp_streams');
};
