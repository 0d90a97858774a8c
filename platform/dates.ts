/**
 * Date and DateTime inputs that name a day that does not exist are refused, not moved.
 *
 * @neo4j/graphql's scalars parse with JavaScript's `new Date`, which rolls `2024-02-30` over to
 * 1 March and reads `-0001-01-01` as the year 2001; a DateTime string goes to Neo4j unchecked, whose
 * parse error would come back as a database failure. Each is checked here first, field by field:
 * on the subgraphs (subgraph-kit/schema.ts) and at the gateway (gateway/dates.ts), where a refusal
 * names the caller's own variable. Only ISO 8601 is read: `1/6/2022` is refused, not taken for a day.
 */
import { GraphQLError, isScalarType, Kind, type GraphQLScalarType, type GraphQLSchema, type ValueNode } from "graphql";

/** Thrown for a temporal input that is not a real day or time; answered as BAD_USER_INPUT. */
export class InvalidTemporalError extends GraphQLError {
  /** `node`: the literal refused, so that the refusal can say where it is in the document. */
  constructor(message: string, node?: ValueNode) {
    super(message, { ...(node ? { nodes: node } : {}), extensions: { code: "BAD_USER_INPUT" } });
    this.name = "InvalidTemporalError";
  }
}

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Whether a calendar date exists, for the years Neo4j and a four-digit ISO 8601 year share (0001 to 9999). */
function isRealDay(year: number, month: number, day: number): boolean {
  // Date.UTC reads years 0 to 99 as 1900 to 1999; the month's length is the same 400 years on.
  const lengthYear = year < 100 ? year + 400 : year;
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(lengthYear, month);
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** A YYYY-MM-DD date that exists. */
export function isValidDate(text: string): boolean {
  const match = datePattern.exec(text);
  return match !== null && isRealDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** An ISO 8601 date and time (or a date alone) that exists, with an offset Neo4j accepts (±18:00 at most). */
export function isValidDateTime(text: string): boolean {
  const match = dateTimePattern.exec(text);
  if (!match || !isRealDay(Number(match[1]), Number(match[2]), Number(match[3]))) return false;
  const [hour, minute, second] = [match[4], match[5], match[6]].map((part) => Number(part ?? 0)) as [number, number, number];
  if (hour > 23 || minute > 59 || second > 59) return false;
  const offset = Number(match[8] ?? 0) * 60 + Number(match[9] ?? 0);
  return offset <= 18 * 60 && Number(match[9] ?? 0) < 60;
}

const rules: Record<string, { valid: (text: string) => boolean; expected: string }> = {
  Date: { valid: isValidDate, expected: "a date that exists, as YYYY-MM-DD with a year from 0001 to 9999, for example 2024-02-29" },
  DateTime: { valid: isValidDateTime, expected: "a date and time that exist, in ISO 8601, for example 2024-02-29T09:30:00Z" },
};

const checked = new WeakSet<GraphQLScalarType>();

/**
 * Wraps the schema's Date and DateTime scalars so an input that is not a real day or time is refused
 * with a BAD_USER_INPUT error naming the value. The scalars are @neo4j/graphql's own objects, shared by
 * every schema it builds in a process, so each is wrapped once.
 */
export function refuseInvalidDates(schema: GraphQLSchema): GraphQLSchema {
  for (const [name, rule] of Object.entries(rules)) {
    const scalar = schema.getType(name);
    if (!isScalarType(scalar) || checked.has(scalar)) continue;
    checked.add(scalar);
    const check = (value: unknown, node?: ValueNode) => {
      if (typeof value === "string" && !rule.valid(value)) {
        const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
        throw new InvalidTemporalError(`${shown} is not a valid ${name}: give ${rule.expected}.`, node);
      }
    };
    const { parseValue, parseLiteral } = scalar;
    scalar.parseValue = (value: unknown) => {
      check(value);
      return parseValue.call(scalar, value);
    };
    scalar.parseLiteral = (node: ValueNode, variables?: Record<string, unknown> | null) => {
      if (node.kind === Kind.STRING) check(node.value, node);
      return parseLiteral.call(scalar, node, variables);
    };
  }
  return schema;
}
