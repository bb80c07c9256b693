/**
 * What the decision log writes (RISKGATE_DECISION_LOG_FORMAT). Every version reads what earlier
 * versions wrote; a version before format 3 cannot read format 3:
 *
 * - 3 (the default): records in packed text (codec.ts, codec version 3), body fingerprints of 12
 *   characters (src/idempotency/fingerprint.ts), and in the stream the index entry of a record
 *   written at its own time without that time (redis-scripts.ts rg_x_time).
 * - 2: what versions before format 3 write and read: records in JSON (codec version 2),
 *   fingerprints of 22 characters, every index entry with its time. For a rolling upgrade from
 *   such a version: new instances write format 2 while old ones still run (an old instance would
 *   fail to read a format 3 record, refuse the retry of a charge a new instance recorded, and fail
 *   to trim the log past a format 3 index entry); once none is left, the setting goes.
 */
export const DecisionLogFormat = { EARLIER: 2, CURRENT: 3 } as const
export type DecisionLogFormat = typeof DecisionLogFormat[keyof typeof DecisionLogFormat]
