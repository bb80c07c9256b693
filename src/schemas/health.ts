import { Type } from 'typebox'
import type { Static } from 'typebox'

export const HealthSchema = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false })

/**
 * One loaded data source as /readyz shows it. /readyz is public: a source is named by its file name,
 * never by the folder it lies in (`riskgate data status`, run on the machine, shows full paths).
 */
export const DataSourceSchema = Type.Object({
  id: Type.String({ description: 'the key of this source in each decision\'s `data` (role, or role:file for further files of a role)' }),
  name: Type.String(),
  kind: Type.String(),
  file: Type.String({ description: 'the file name, without its folder' }),
  bundled: Type.Boolean({ description: 'true for the open data bundled with riskgate, false for a file the operator configured' }),
  database_type: Type.Optional(Type.String()),
  built_at: Type.Optional(Type.String({ description: 'ISO 8601 build date of the data' })),
  age_days: Type.Optional(Type.Number()),
  max_age_days: Type.Optional(Type.Number({ description: 'older than this, the data is reported stale' })),
  loaded_at: Type.Optional(Type.String({ description: 'ISO 8601: when this process loaded it (hot reloads change it)' })),
  entries: Type.Optional(Type.Integer()),
  warnings: Type.Array(Type.String(), { description: 'stale data, a replacement refused on reload: the data still answers (files named without their folder)' })
}, { additionalProperties: false })
export type DataSourceView = Static<typeof DataSourceSchema>

/** A loaded source as the process describes it (with the path it was read from), before /readyz names it by its file. */
export type DataSource = Omit<DataSourceView, 'file' | 'bundled'> & { path: string }

export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded'), Type.Literal('shedding')], {
    description: '`shedding`: overloaded, requests are refused with 503 (load shedding): the answer is a 503 too'
  }),
  rules: Type.Object({
    version: Type.String(),
    hash: Type.String(),
    rules: Type.Integer(),
    loaded_at: Type.String()
  }, { additionalProperties: false }),
  data: Type.Array(DataSourceSchema),
  store: Type.Object({
    kind: Type.Union([Type.Literal('redis'), Type.Literal('redis-cluster'), Type.Literal('redis-sentinel'), Type.Literal('in-process')]),
    reachable: Type.Boolean({ description: 'Redis answered PING: on a Cluster every master serving slots, behind Sentinel the master the sentinels name' }),
    writer_reachable: Type.Boolean({ description: 'the connection the decision records take (`riskgate-writer`) answered PING as well. When false, answers stay full and the records wait in the outbox (`riskgate_outbox_depth`) until it is back: status does not change' })
  }, { additionalProperties: false }),
  degraded: Type.Array(Type.String())
}, { additionalProperties: false })
export type Readiness = Static<typeof ReadinessSchema>
