import {
  CUTOVER_OPERATIONS,
  cutoverOperations,
  OPERATION_TAGS,
  OperationSpec,
  PATH_PARAMS,
  permissionLabel,
  ResponseSpec,
} from '@switchyard/plugin-cutover-common';
import { z } from 'zod';
import { Json, responseComponents } from './jsonSchemas';

/*
 * The OpenAPI 3.1 document of the cutover API, generated entirely from the contract in
 * @switchyard/plugin-cutover-common: the operation catalogue (`CUTOVER_OPERATIONS`: paths,
 * permissions, parameters, bodies, answers) and the zod schemas it names (request bodies, query
 * and path parameters on their input side; response bodies from `responseSchemas`). Nothing here
 * describes a shape by hand. `scripts/openapi.ts` writes the document to `openapi.yaml` next to
 * this file; `openapi.test.ts` keeps the two equal, checks the document against the router's
 * routes and validates real responses against it.
 */

export type { Json } from './jsonSchemas';

/** The file the document is kept in, relative to the package root. */
export const OPENAPI_FILE = 'src/schema/openapi.yaml';

/** How the document is regenerated. */
export const OPENAPI_COMMAND =
  'node -r @backstage/cli/config/nodeTransform.cjs scripts/openapi.ts --write';

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

// ----- request bodies and parameters, from the catalogue's zod schemas -----

type ZodChecks = Array<{ _zod: { def: Record<string, unknown> } }>;
const checksOf = (schema: z.core.$ZodType): ZodChecks =>
  (schema._zod.def as { checks?: ZodChecks }).checks ?? [];

/**
 * A pattern for `source` that matches what the regular expression matches with the `i` flag
 * (JSON schema patterns have no flags): letters outside classes become a class of both cases;
 * classes get the other case of the letters they hold.
 */
export function caseInsensitivePattern(source: string): string {
  const isLetter = (c: string) => /^[A-Za-z]$/.test(c);
  const swap = (c: string) =>
    c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
  /** Letters as compact ranges: `A-Z`, `a-c`, `x`. */
  const ranges = (letters: Set<string>) => {
    const codes = [...letters].map(c => c.charCodeAt(0)).sort((a, b) => a - b);
    let out = '';
    for (let i = 0; i < codes.length; ) {
      let j = i;
      while (
        j + 1 < codes.length &&
        codes[j + 1] === codes[j] + 1 &&
        isLetter(String.fromCharCode(codes[j + 1]))
      )
        j++;
      const from = String.fromCharCode(codes[i]);
      const to = String.fromCharCode(codes[j]);
      out +=
        j - i >= 2
          ? `${from}-${to}`
          : codes
              .slice(i, j + 1)
              .map(c => String.fromCharCode(c))
              .join('');
      i = j + 1;
    }
    return out;
  };
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      out += source.slice(i, i + 2);
      i += 1;
    } else if (c === '[') {
      let end = i + 1;
      if (source[end] === '^') end += 1;
      if (source[end] === ']') end += 1;
      while (end < source.length && source[end] !== ']')
        end += source[end] === '\\' ? 2 : 1;
      const negated = source[i + 1] === '^';
      const body = source.slice(i + (negated ? 2 : 1), end);
      const covered = new Set<string>();
      for (let j = 0; j < body.length; j++) {
        if (body[j] === '\\') {
          j += 1;
        } else if (
          body[j + 1] === '-' &&
          j + 2 < body.length &&
          isLetter(body[j]) &&
          isLetter(body[j + 2])
        ) {
          for (let k = body.charCodeAt(j); k <= body.charCodeAt(j + 2); k++) {
            if (isLetter(String.fromCharCode(k)))
              covered.add(String.fromCharCode(k));
          }
          j += 2;
        } else if (isLetter(body[j])) {
          covered.add(body[j]);
        }
      }
      const added = new Set(
        [...covered].map(swap).filter(l => !covered.has(l)),
      );
      out += `[${negated ? '^' : ''}${ranges(added)}${body}]`;
      i = end;
    } else if (isLetter(c)) {
      out += `[${c}${swap(c)}]`;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * The JSON schema of the input a zod schema accepts. Refinements JSON schema can't express are
 * named in the description; case-insensitive patterns are spelled out. Types JSON schema can't
 * represent at all (dates, bigints, transforms' outputs, ...) make generation fail rather than
 * document something the router would not accept.
 */
export function toJsonSchema(schema: z.ZodType, rules: string[] = []): Json {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
    override: ctx => {
      const out = ctx.jsonSchema as Json;
      const refinements: string[] = [];
      for (const check of checksOf(ctx.zodSchema)) {
        const def = check._zod.def;
        if (def.check === 'custom') {
          const message =
            typeof def.error === 'function' ? def.error() : undefined;
          const path =
            Array.isArray(def.path) && def.path.length
              ? `${def.path.join('.')}: `
              : '';
          if (typeof message === 'string')
            refinements.push(`${path}${message}`);
        }
        if (
          def.format === 'regex' &&
          def.pattern instanceof RegExp &&
          def.pattern.flags.includes('i')
        ) {
          const { source } = def.pattern;
          if (out.pattern === source)
            out.pattern = caseInsensitivePattern(source);
          for (const part of (out.allOf as Json[] | undefined) ?? []) {
            if (part.pattern === source)
              part.pattern = caseInsensitivePattern(source);
          }
        }
      }
      if (refinements.length) {
        out.description = [
          out.description,
          `Also checked: ${refinements.join('; ')}.`,
        ]
          .filter(Boolean)
          .join(' ');
      }
    },
  }) as Json;
  delete json.$schema;
  if (rules.length) {
    json.description = [json.description, `Also checked: ${rules.join('; ')}.`]
      .filter(Boolean)
      .join(' ');
  }
  return json;
}

/** The request bodies of the catalogue as components, each once. */
function bodySchemas(): Record<string, Json> {
  const out: Record<string, Json> = {};
  // Bodies whose id comes from the path follow the others (they are variants of one of them).
  const specs = cutoverOperations().flatMap(op => (op.body ? [op.body] : []));
  for (const spec of [
    ...specs.filter(b => !b.idFromPath),
    ...specs.filter(b => b.idFromPath),
  ]) {
    if (out[spec.component]) continue;
    const { description: rules, ...json } = toJsonSchema(spec.schema, [
      ...(spec.rules ?? []),
    ]);
    const described: Json = {
      description: [`${spec.description}.`, rules].filter(Boolean).join(' '),
      ...json,
    };
    if (spec.idFromPath) {
      // The id comes from the path: in the body it is optional and must match.
      described.description = `${String(
        described.description,
      )} The id comes from the path; a body id must equal it.`;
      described.required = (json.required as string[]).filter(k => k !== 'id');
    }
    out[spec.component] = described;
  }
  return out;
}

/** The path parameters as components, referenced by the operations. */
function pathParameters(): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(PATH_PARAMS).map(
      ([name, { component, schema, description }]) => [
        component,
        {
          name,
          in: 'path',
          required: true,
          description,
          schema: toJsonSchema(schema),
        },
      ],
    ),
  );
}

/** Query parameters from a strict zod object: one parameter per key. */
function queryParameters(schema: z.ZodType): Json[] {
  const json = toJsonSchema(schema);
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(json.properties as Record<string, Json>).map(
    ([name, property]) => ({
      name,
      in: 'query',
      required: required.has(name),
      schema: property,
    }),
  );
}

// ----- the operations -----

/** `/migrations/:id` -> `/migrations/{id}`. */
export const openApiPath = (expressPath: string) =>
  expressPath.replace(/:([A-Za-z]+)/g, '{$1}');

const errorResponse = (description: string): Json => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
});

/** A success answer; text files are documented as strings. */
function successResponse(spec: ResponseSpec): Json {
  switch (spec.kind) {
    case 'json':
      return {
        description: spec.description,
        content: { 'application/json': { schema: ref(spec.schema) } },
      };
    case 'empty':
      return { description: spec.description };
    case 'file':
      return {
        description: spec.description,
        headers: {
          'Content-Disposition': {
            $ref: '#/components/headers/ContentDisposition',
          },
        },
        content: Object.fromEntries(
          spec.contentTypes.map(type => [
            type,
            type.startsWith('text/') ? { schema: { type: 'string' } } : {},
          ]),
        ),
      };
    default:
      throw new Error(`Unknown response kind ${JSON.stringify(spec)}`);
  }
}

function operation(route: OperationSpec): Json {
  const parameters: Json[] = route.params.map(name => ({
    $ref: `#/components/parameters/${PATH_PARAMS[name].component}`,
  }));
  if (route.query) parameters.push(...queryParameters(route.query));
  const authenticated = route.permission.anyOf.length > 0;
  if (authenticated)
    parameters.push({ $ref: '#/components/parameters/RequestId' });

  const responses: Json = Object.fromEntries(
    Object.entries(route.responses).map(([status, spec]) => [
      status,
      successResponse(spec),
    ]),
  );
  if (authenticated) {
    responses['400'] = { $ref: '#/components/responses/BadRequest' };
    responses['401'] = { $ref: '#/components/responses/Unauthorized' };
    if (!route.noForbidden)
      responses['403'] = { $ref: '#/components/responses/Forbidden' };
    if (!route.noMigration)
      responses['404'] = { $ref: '#/components/responses/NotFound' };
    if (route.conflict)
      responses['409'] = errorResponse(`Conflicting state: ${route.conflict}`);
  }
  if (
    route.method === 'post' ||
    route.method === 'put' ||
    route.method === 'patch'
  ) {
    responses['415'] = { $ref: '#/components/responses/UnsupportedMediaType' };
  }

  const out: Json = {
    operationId: route.id,
    tags: [route.tag],
    summary: route.summary,
  };
  if (route.description) out.description = route.description;
  out['x-permission'] = permissionLabel(route.permission);
  if (!authenticated) out.security = [];
  if (parameters.length) out.parameters = parameters;
  if (route.body) {
    out.requestBody = {
      required: !route.body.schema.safeParse({}).success,
      content: { 'application/json': { schema: ref(route.body.component) } },
    };
  }
  out.responses = Object.fromEntries(
    Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)),
  );
  return out;
}

/** The OpenAPI document of the router. */
export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const route of Object.values(CUTOVER_OPERATIONS) as OperationSpec[]) {
    const item = (paths[openApiPath(route.path)] ??= {});
    if (item[route.method])
      throw new Error(`${route.method} ${route.path} is listed twice`);
    item[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard cutover API',
      version: '1',
      summary:
        'Migration progress and cutover control (the cutover backend plugin)',
      description: [
        'The HTTP API of the cutover backend, mounted at /api/cutover. JSON in and out; timestamps are ISO-8601 UTC; ids are strings.',
        'Every request but GET /health is authenticated with a Backstage user or service token (401 without one) and authorized',
        'with the permission in `x-permission` (403 when not permitted); resource permissions are decided on the migration of the path,',
        'so a policy can allow actions to its owners only. Invalid input is a 400 naming the field, an unknown id a 404, a conflicting',
        'state a 409; a POST, PUT or PATCH body that is not sent as application/json is a 415. Shapes may grow: clients ignore fields',
        `they don't know. Generated by scripts/openapi.ts (\`${OPENAPI_COMMAND}\`) from the operation catalogue of`,
        '@switchyard/plugin-cutover-common; do not edit by hand.',
      ].join(' '),
    },
    servers: [
      {
        url: '/api/cutover',
        description: 'The cutover plugin, on the Backstage backend',
      },
    ],
    security: [{ backstageToken: [] }],
    tags: OPERATION_TAGS,
    paths,
    components: {
      schemas: { ...responseComponents(), ...bodySchemas() },
      parameters: {
        ...pathParameters(),
        RequestId: {
          name: 'x-request-id',
          in: 'header',
          required: false,
          description:
            'Recorded with the audit events of the request (the first 127 characters)',
          schema: { type: 'string' },
        },
      },
      headers: {
        ContentDisposition: {
          description: 'attachment; filename="..."',
          schema: { type: 'string' },
        },
      },
      responses: {
        BadRequest: errorResponse(
          'Invalid input (path, query or body): error.name is InputError and the message names the field',
        ),
        Unauthorized: errorResponse('No valid credentials'),
        Forbidden: errorResponse('The caller is not permitted (x-permission)'),
        NotFound: errorResponse(
          'No migration with the id, or no resource with the id in it',
        ),
        UnsupportedMediaType: errorResponse(
          'A body not sent as Content-Type: application/json',
        ),
      },
      securitySchemes: {
        backstageToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A Backstage user token, or a service token (jobs, other plugins)',
        },
      },
    },
  };
}

/** Options of `yaml`'s `stringify` the document is written with. */
export interface YamlOptions {
  lineWidth: number;
  aliasDuplicateObjects: boolean;
}

/**
 * The document as YAML, with a header saying how it is made. The `yaml` package is passed in: it
 * is a development dependency (of the script and the test), not one of the plugin.
 */
export function openApiYaml(
  stringify: (value: unknown, options: YamlOptions) => string,
): string {
  const header = [
    '# The OpenAPI document of the cutover backend (plugins/cutover-backend/src/service/router.ts).',
    '# Generated by plugins/cutover-backend/src/schema/openapi.ts from the operation catalogue of',
    '# plugins/cutover-common/src/contract/operations.ts; do not edit. Regenerate with',
    `#   ${OPENAPI_COMMAND}`,
  ].join('\n');
  return `${header}\n${stringify(openApiDocument(), {
    lineWidth: 0,
    aliasDuplicateObjects: false,
  })}`;
}
