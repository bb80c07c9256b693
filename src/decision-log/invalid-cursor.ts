/**
 * A pagination cursor this store did not give, or gave for another query (other filters, another
 * listing): the routes answer it 400 `invalid_cursor`.
 */
export class InvalidCursorError extends Error {
  constructor (message = 'the cursor is not one of this query') {
    super(message)
    this.name = 'InvalidCursorError'
  }
}
