/**
 * Runtime values of the formula language and their Python 2.7 semantics (docs/formulas.md §2.4, docs/formulas.md §2.5).
 *
 * Representation: integer = JS number (safe integer, never -0) or bigint (beyond ±2^53, like a Python
 * long); float = PyFloat (boxed, so 33.0 stays a float); string; boolean; null (None); list = JS array;
 * record / table / function = classes (values/types.ts). One file per topic; this index is what the rest of
 * lib/formula imports.
 */
export { Fn, PyFloat, Rec, Tbl, truthy, typeName } from './types';
export type { CallFn, Cl, Frame, Runtime, TableName, V } from './types';
export { capList, capStr, charge, CHARS_PER_STEP, MAX_LIST, MAX_STR, metered, step } from './budget';
export {
  bigToFloat,
  floatDiv,
  floatMod,
  floatPow,
  intFloorDiv,
  intFromNumber,
  intMod,
  intOf,
  normBig,
  numKind,
  pyAbs,
  pyAdd,
  pyDiv,
  pyMul,
  pyNeg,
  pyPos,
  pyPow,
  pySub,
  ratToDouble,
  toFloat,
  trueDiv,
} from './numbers';
export { pyCmp, pyEq, strCmp } from './compare';
export { pyRepr, pyStr, strRepr } from './text';
export { parsePyFloat, parsePyInt, pyFloatOf, pyIntOf } from './parse';
export { pyFormat, pyMod } from './format';
