/**
 * Results as text the way the original prints them: Python 2.7 `str()` and `repr()` of a result given as a
 * JS value and its type name (what `evaluate` returns). Used by the public API (`formula.pyStr`) and the engine.
 */
import { PyFloat } from './values';
import type { V } from './values';
import { pyStr as pyStrV, pyRepr as pyReprV } from './values';

function toV(value: unknown, type: string): V {
  switch (type) {
    case 'float':
      return new PyFloat(Number(value));
    case 'integer':
      if (typeof value === 'bigint') return value;
      return typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) ? BigInt(value) : (value as number);
    case 'list':
      return Array.isArray(value)
        ? value.map((x) =>
            toV(
              x,
              typeof x === 'number'
                ? Number.isInteger(x)
                  ? 'integer'
                  : 'float'
                : typeof x === 'boolean'
                  ? 'bool'
                  : x === null
                    ? 'null'
                    : Array.isArray(x)
                      ? 'list'
                      : 'string',
            ),
          )
        : [];
    case 'null':
      return null;
    case 'bool':
      return Boolean(value);
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/**
 * Python 2.7 `str()` of a result (docs/formulas.md §2.7): integers in decimal, floats with the 12-significant-digit
 * rule ('33.0', '62.7110244989', '1e+16', '1e-05', '-0.0', 'nan', 'inf'), None → 'None', booleans →
 * 'True'/'False', strings unchanged, lists as Python prints them (items of a list given as plain JS
 * numbers are taken as integers when integral).
 */
export function pyStr(value: unknown, type: string): string {
  return pyStrV(toV(value, type));
}

/** Python 2.7 `repr()` of a result. */
export function pyRepr(value: unknown, type: string): string {
  return pyReprV(toV(value, type));
}
