import { MaraError, MaraErrorCode } from '../../lib/mara/errors';

/** Any failure as a MaraError with a stable code, so a Catch node can switch on `error.code`. */
export function toMaraError(e: unknown, code: MaraErrorCode = 'EINVAL'): MaraError {
  return e instanceof MaraError ? e : new MaraError(code, String((e as Error)?.message ?? e));
}
