import { responseSchemas } from '@switchyard/plugin-cutover-common';
import { z } from 'zod';

/** A JSON (schema) object. */
export type Json = { [key: string]: unknown };

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Writes zod's JSON schema the way the document spells it: `type: [T, 'null']` for nullable
 * values (`oneOf` with a `$ref`), no `additionalProperties: false` (shapes may grow), no bounds
 * that only restate a safe integer, no `propertyNames` for string keys, `required: []` on closed
 * objects whose fields are all optional.
 */
export function tidySchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidySchema);
  if (!value || typeof value !== 'object') return value;
  const json: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    json[key] =
      key === 'properties' && v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Json).map(([name, p]) => [name, tidySchema(p)]),
          )
        : tidySchema(v);
  }
  if (json.additionalProperties === false) delete json.additionalProperties;
  else if (
    json.additionalProperties &&
    typeof json.additionalProperties === 'object' &&
    Object.keys(json.additionalProperties).length === 0
  ) {
    json.additionalProperties = true;
    if (json.properties && Object.keys(json.properties as Json).length === 0)
      delete json.properties;
  }
  // Objects whose fields are all optional say so with an empty list (open ones say nothing).
  if (
    json.type === 'object' &&
    json.properties &&
    !json.required &&
    json.additionalProperties !== true
  ) {
    json.required = [];
  }
  if (json.minimum === -MAX_SAFE) delete json.minimum;
  if (json.maximum === MAX_SAFE) delete json.maximum;
  const names = json.propertyNames as Json | undefined;
  if (names && names.type === 'string' && Object.keys(names).length === 1)
    delete json.propertyNames;
  const anyOf = json.anyOf as Json[] | undefined;
  if (anyOf?.length === 2 && (anyOf[1] as Json).type === 'null') {
    const { anyOf: _, ...rest } = json;
    const inner = anyOf[0];
    if (typeof inner.$ref === 'string')
      return { oneOf: [inner, { type: 'null' }], ...rest };
    if (typeof inner.type === 'string') {
      const { type, enum: values, ...innerRest } = inner;
      return {
        type: [type, 'null'],
        ...(Array.isArray(values) ? { enum: [...values, null] } : {}),
        ...innerRest,
        ...rest,
      };
    }
  }
  return orderKeys(json);
}

const KEY_ORDER = [
  'oneOf',
  'type',
  'format',
  'enum',
  'minimum',
  'maximum',
  'items',
  'additionalProperties',
  'description',
];

/** Keys in the order the document has always written them (a stable, readable diff). */
function orderKeys(json: Json): Json {
  const rank = (key: string) => {
    // An object with properties lists what else it allows last.
    if (key === 'additionalProperties' && json.properties)
      return KEY_ORDER.length + 1;
    const i = KEY_ORDER.indexOf(key);
    return i < 0 ? KEY_ORDER.length : i;
  };
  return Object.fromEntries(
    Object.entries(json).sort(([a], [b]) => rank(a) - rank(b)),
  );
}

/** The response schemas of -common as the document's `components.schemas`. */
export function responseComponents(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(responseSchemas))
    registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'throw',
    uri: id => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _s, $id: _i, ...rest } = schema;
      return [id, tidySchema(rest) as Json];
    }),
  );
}
