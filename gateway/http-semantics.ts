/**
 * Where yoga reads HTTP more narrowly than HTTP and GraphQL over HTTP say: media types compared as
 * written (RFC 9110 §8.3.1: the type and subtype are case-insensitive, so `APPLICATION/JSON` got 415),
 * and a body that is not JSON answered 200 to a client that accepts only application/json.
 */
import type { IncomingMessage } from "node:http";
import { GraphQLError } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";

/** `TYPE/Sub ; Params` as `type/sub;Params`: parameters keep their case (a multipart boundary is case-sensitive). */
export function normalisedMediaType(value: string): string {
  const semicolon = value.indexOf(";");
  const type = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  return semicolon < 0 ? type : `${type};${value.slice(semicolon + 1)}`;
}

/** Lower-cases the media types of Content-Type and Accept before yoga, which matches them exactly, reads them. */
export function normaliseMediaTypes(request: IncomingMessage): void {
  const contentType = request.headers["content-type"];
  if (contentType) request.headers["content-type"] = normalisedMediaType(contentType);
  const accept = request.headers.accept;
  if (accept) request.headers.accept = accept.split(",").map(normalisedMediaType).join(",");
}

/**
 * A request yoga could not parse (invalid JSON, a body that is not an object) is answered 400, as GraphQL
 * over HTTP says a server SHOULD for application/json too. Yoga marks these errors `spec`, and answers
 * them 400 only to clients that accept application/graphql-response+json: the mark is taken off.
 */
export function useMalformedRequestStatus(): GatewayPlugin {
  const asBadRequest = (error: unknown): unknown => {
    if (!(error instanceof GraphQLError)) return error;
    const http = error.extensions["http"];
    if (!http?.spec) return error;
    const { spec: _spec, ...rest } = http;
    return new GraphQLError(error.message, { extensions: { ...error.extensions, http: { ...rest, status: http.status ?? 400 } } });
  };
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          throw asBadRequest(error);
        }
      });
    },
  };
}
