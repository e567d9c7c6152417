/**
 * The expression layer: conditions, filters, key conditions, projections and
 * updates compiled to DynamoDB expression text over one shared placeholder
 * allocator per request. Pure: no I/O and no dependency on schemas or models.
 */
export {
  ExpressionAttributes, checkExpression, countOperators,
  MAX_EXPRESSION_BYTES, MAX_EXPRESSION_OPERATORS, MAX_NAME_BYTES, MAX_SUBSTITUTION_BYTES,
  type ExpressionAttributeParams, type ExpressionParameter,
} from './placeholders.js';
export {
  parsePath, path, validatePath, resolvePath, formatPath, pathsOverlap,
  type Path, type PathInput,
} from './path.js';
export type { ExpressionOptions, MapValue, ValueOperator } from './context.js';
export {
  absent, ATTRIBUTE_TYPE_CODES,
  type Absent, type AnyItem, type AttributeTypeCode, type ConditionObject, type FieldCondition,
  type Operators, type SizeOperators,
} from './condition-types.js';
export {
  and, or, not, attr, isConditionNode, isAttributeRef, AttributeBuilder, SizeBuilder,
  type Condition, type ConditionAst, type ConditionNode, type Comparator, type Operand,
} from './condition-ast.js';
export { compileCondition, MAX_IN_VALUES, type ConditionOptions } from './condition.js';
export {
  compileKeyCondition, KEY_CONDITION_OPERATORS,
  type KeyConditionInput, type KeyConditionOperator, type KeyConditionOptions, type RangeCondition, type RangeTuple, type OneOperator, type PrefixOfStringsOnly,
} from './key-condition.js';
export { compileProjection, type ProjectionOptions } from './projection.js';
export {
  set, setIfNotExists, remove, add, deleteFromSet, append, prepend, increment, compileUpdate,
  type UpdateAction, type UpdateOptions,
} from './update.js';
