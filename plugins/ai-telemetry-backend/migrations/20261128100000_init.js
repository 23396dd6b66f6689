// @ts-check

/**
 * The ai-telemetry plugin's database: the opt-in registry and its history, telemetry tokens
 * (hashes only), the durable counters that the metrics endpoint serves, and the batch ids that
 * make a retried batch count once.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('opt_ins', table => {
    table.comment(
      'Who opted in to AI telemetry: one row per user who ever chose',
    );
    table
      .string('user_entity_ref', 255)
      .primary()
      .comment('The user, e.g. user:default/jane.doe');
    table
      .string('user_hash', 64)
      .notNullable()
      .unique()
      .comment(
        'The user pseudonym: HMAC-SHA256 of the entity ref (user_hash label)',
      );
    table
      .boolean('opted_in')
      .notNullable()
      .comment('Whether telemetry is on now');
    table
      .timestamp('since', { useTz: true })
      .nullable()
      .comment('When the current opt-in began; null while opted out');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When the user first chose');
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .comment('When the choice last changed');
  });

  await knex.schema.createTable('opt_in_history', table => {
    table.comment('Every change of an opt-in, for the user and for audits');
    table.bigIncrements('id').primary();
    table.string('user_entity_ref', 255).notNullable().index();
    table
      .boolean('enabled')
      .notNullable()
      .comment('True: turned on; false: turned off');
    table
      .string('source', 16)
      .notNullable()
      .comment(
        'Who made the change: portal (the user) or demo (development only)',
      );
    table.timestamp('at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('telemetry_tokens', table => {
    table.comment(
      'Telemetry tokens: SHA-256 of the token, never the token itself',
    );
    table
      .string('token_hash', 64)
      .primary()
      .comment('SHA-256 hex of the token');
    table.string('user_entity_ref', 255).notNullable().index();
    table
      .string('issued_by', 16)
      .notNullable()
      .comment('portal (opt-in or rotation by the user) or demo');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('revoked_at', { useTz: true }).nullable();
    table
      .string('revoked_reason', 16)
      .nullable()
      .comment('rotated (a newer token replaced it) or opted_out');
  });

  await knex.schema.createTable('counters', table => {
    table.comment(
      'Cumulative counters per pseudonym: the source of truth that Prometheus scrapes',
    );
    table.bigIncrements('id').primary();
    table.string('user_hash', 64).notNullable().index();
    table
      .string('metric', 64)
      .notNullable()
      .comment('A metric name of the contract');
    table
      .string('labels', 255)
      .notNullable()
      .comment('The label values besides user_hash, as canonical JSON');
    table
      .bigInteger('value_milli')
      .notNullable()
      .comment('The running total in thousandths, so that sums stay exact');
    table.timestamp('first_seen', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table
      .timestamp('zero_served_at', { useTz: true })
      .nullable()
      .comment('When a scrape first served this row (at 0); null until then');
    // Upserts conflict on it, and the scrape reads in its order.
    table.unique(['metric', 'user_hash', 'labels'], {
      indexName: 'counters_metric_user_labels_idx',
    });
  });

  await knex.schema.createTable('processed_batches', table => {
    table.comment(
      'Batch ids already counted, per pseudonym, so that a retry counts once',
    );
    table.string('user_hash', 64).notNullable();
    table.string('batch_id', 128).notNullable();
    table.integer('event_count').notNullable();
    table.timestamp('received_at', { useTz: true }).notNullable().index();
    table.primary(['user_hash', 'batch_id']);
  });

  await knex.schema.createTable('ingestion_stats', table => {
    table.comment(
      'Events ingested by every backend instance, spread over a few rows so that concurrent batches do not queue on one',
    );
    table.integer('shard').primary();
    table.bigInteger('events').notNullable();
    table.bigInteger('batches').notNullable();
  });
  await knex('ingestion_stats').insert(
    Array.from({ length: 16 }, (_, shard) => ({
      shard,
      events: 0,
      batches: 0,
    })),
  );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ingestion_stats');
  await knex.schema.dropTable('processed_batches');
  await knex.schema.dropTable('counters');
  await knex.schema.dropTable('telemetry_tokens');
  await knex.schema.dropTable('opt_in_history');
  await knex.schema.dropTable('opt_ins');
};
