// @ts-check

/**
 * Privacy (docs/privacy-model.md#erasure): durable erasure jobs that any backend instance can
 * drive, the audit log, and the erasure failure counter that every instance serves on the
 * metrics endpoint.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('erasure_jobs', table => {
    table.comment(
      'Erasure jobs: the data of one user removed step by step, resumed by any instance',
    );
    table.string('id', 36).primary().comment('A UUID');
    table
      .string('user_entity_ref', 255)
      .notNullable()
      .index()
      .comment('Whose data, in lower case');
    table
      .string('user_hash', 64)
      .notNullable()
      .comment('Their pseudonym: what the steps delete');
    table
      .string('active_user_ref', 255)
      .nullable()
      .unique()
      .comment(
        'The user entity ref while the job is unfinished, else null: one open job per user',
      );
    table
      .string('requested_by', 255)
      .notNullable()
      .comment('The user themselves, or the administrator who started it');
    table.string('reason', 1000).nullable();
    table
      .string('state', 16)
      .notNullable()
      .comment('pending, running, retrying, done');
    table
      .integer('step_index')
      .notNullable()
      .comment('The step to run next (index into ERASURE_STEPS)');
    table
      .text('steps')
      .notNullable()
      .comment(
        'Every step with its state, times, attempts and detail, as JSON',
      );
    table.integer('failed_attempts').notNullable();
    table.text('last_error').nullable();
    table
      .timestamp('next_attempt_at', { useTz: true })
      .notNullable()
      .comment('When the job is due next (a retry, or the end of a wait)');
    table
      .string('lease_owner', 64)
      .nullable()
      .comment('The worker run that holds the job now');
    table.timestamp('lease_expires_at', { useTz: true }).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.index(['state', 'next_attempt_at'], 'erasure_jobs_due_idx');
  });

  await knex.schema.createTable('audit_log', table => {
    table.comment(
      'Opt-ins, opt-outs, token changes, exports and erasures, kept for the privacy retention',
    );
    table.bigIncrements('id').primary();
    table.timestamp('at', { useTz: true }).notNullable().index();
    table.string('action', 32).notNullable();
    table
      .string('actor', 255)
      .notNullable()
      .comment('Who did it: an entity ref, or system (the erasure worker)');
    table
      .string('subject', 255)
      .notNullable()
      .index()
      .comment('Whose data it concerns');
    table.text('detail').nullable();
  });

  await knex.schema.createTable('privacy_counters', table => {
    table.comment(
      'Monotonic counters every backend instance serves alike on the metrics endpoint',
    );
    table.string('name', 64).primary();
    table.bigInteger('value').notNullable();
  });
  await knex('privacy_counters').insert({ name: 'erasure_failures', value: 0 });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('privacy_counters');
  await knex.schema.dropTable('audit_log');
  await knex.schema.dropTable('erasure_jobs');
};
