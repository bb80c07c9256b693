import { Type } from 'typebox'

/** a query string is text (types are never coerced): 1 to 100 */
export const LimitQuerySchema = Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: '1 to 100, default 25' })
export const CursorQuerySchema = Type.String({ minLength: 1, maxLength: 1024, description: 'the next_cursor of the previous page, with the same filters' })
