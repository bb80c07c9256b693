import { Type } from 'typebox'
import type { Static } from 'typebox'

export const HealthSchema = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false })

export const DataSourceSchema = Type.Object({
  id: Type.String({ description: 'the key of this source in each decision\'s `data` (role, or role:file for further files of a role)' }),
  name: Type.String(),
  kind: Type.String(),
  path: Type.Optional(Type.String()),
  database_type: Type.Optional(Type.String()),
  built_at: Type.Optional(Type.String({ description: 'ISO 8601 build date of the data' })),
  age_days: Type.Optional(Type.Number()),
  max_age_days: Type.Optional(Type.Number({ description: 'older than this, the data is reported stale' })),
  loaded_at: Type.Optional(Type.String({ description: 'ISO 8601: when this process loaded it (hot reloads change it)' })),
  entries: Type.Optional(Type.Integer()),
  warnings: Type.Array(Type.String(), { description: 'stale data, a replacement refused on reload: the data still answers' })
}, { additionalProperties: false })
export type DataSource = Static<typeof DataSourceSchema>

export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded')]),
  rules: Type.Object({
    version: Type.String(),
    hash: Type.String(),
    rules: Type.Integer(),
    loaded_at: Type.String()
  }, { additionalProperties: false }),
  data: Type.Array(DataSourceSchema),
  store: Type.Object({
    kind: Type.Union([Type.Literal('redis'), Type.Literal('redis-cluster'), Type.Literal('in-process')]),
    reachable: Type.Boolean()
  }, { additionalProperties: false }),
  degraded: Type.Array(Type.String())
}, { additionalProperties: false })
export type Readiness = Static<typeof ReadinessSchema>
