import { Type } from 'typebox'

const VersionHash = Type.Object({ version: Type.String(), hash: Type.String() }, { additionalProperties: false })
const Action = Type.Union([Type.Literal('allow'), Type.Literal('review'), Type.Literal('block'), Type.Null()])

/** GET /v1/rules: the live rule set as compiled (list values are not shown, only their sizes). */
export const RuleSetViewSchema = Type.Object({
  version: Type.String(),
  hash: Type.String({ description: 'sha256 of the canonical rule set, lists included' }),
  file: Type.String(),
  loaded_at: Type.String(),
  thresholds: Type.Object({ review: Type.Number(), block: Type.Number() }, { additionalProperties: false }),
  velocity: Type.Array(Type.Object({
    name: Type.String(),
    kind: Type.Union([Type.Literal('count'), Type.Literal('distinct'), Type.Literal('sum')]),
    of: Type.Optional(Type.String()),
    by: Type.Array(Type.String()),
    window_seconds: Type.Integer()
  }, { additionalProperties: false })),
  lists: Type.Array(Type.Object({ name: Type.String(), file: Type.String(), size: Type.Integer() }, { additionalProperties: false })),
  rules: Type.Array(Type.Object({
    id: Type.String(),
    description: Type.String(),
    when: Type.String(),
    score: Type.Union([Type.Number(), Type.Null()]),
    action: Action,
    mode: Type.Union([Type.Literal('live'), Type.Literal('shadow')]),
    line: Type.Integer()
  }, { additionalProperties: false }))
}, { additionalProperties: false })

const ResultSchema = Type.Union([Type.Literal('applied'), Type.Literal('unchanged'), Type.Literal('refused'), Type.Literal('failed')])

export const RuleAuditEntrySchema = Type.Object({
  at: Type.String(),
  actor: Type.String({ description: 'the API key id, or SIGHUP' }),
  result: ResultSchema,
  previous: VersionHash,
  loaded: Type.Union([VersionHash, Type.Null()]),
  errors: Type.Array(Type.String()),
  action: Type.Optional(Type.Union([Type.Literal('stage'), Type.Literal('drop'), Type.Literal('promote')], {
    description: 'absent: a reload of the live folder; stage, drop, promote: a change of the challenger rule set (then `loaded` is the challenger staged, or the set promoted live)'
  })),
  challenger: Type.Optional(Type.Object({
    rules_dir: Type.String(),
    mode: Type.Union([Type.Literal('shadow'), Type.Literal('enforce')]),
    percent: Type.Union([Type.Integer(), Type.Null()]),
    by: Type.Union([Type.String(), Type.Null()]),
    version: Type.Union([Type.String(), Type.Null()]),
    hash: Type.Union([Type.String(), Type.Null()])
  }, { additionalProperties: false, description: 'the challenger the change concerned' }))
}, { additionalProperties: false })

/** POST /v1/rules/reload, when the new set went live (or was the same). */
export const ReloadResponseSchema = Type.Object({
  result: Type.Union([Type.Literal('applied'), Type.Literal('unchanged')]),
  at: Type.String(),
  previous: VersionHash,
  live: VersionHash,
  /** false when the audit log could not be written */
  audited: Type.Boolean()
}, { additionalProperties: false })

export const AuditQuerySchema = Type.Object({
  /** a query string is text (types are never coerced): 1 to 1000, default 100 */
  limit: Type.Optional(Type.String({ pattern: '^(1000|[1-9][0-9]{0,2})$' }))
}, { additionalProperties: false })

export const AuditResponseSchema = Type.Object({
  /** newest first */
  entries: Type.Array(RuleAuditEntrySchema)
}, { additionalProperties: false })
