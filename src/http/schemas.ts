/** Schemas shared by every feature's routes. */
import Type from 'typebox';

/** The body of every error response (see docs/errors.md). */
export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
}, { $id: 'ErrorBody' });
