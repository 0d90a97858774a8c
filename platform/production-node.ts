/**
 * Imported first by each server's entry point, before graphql loads. Unless NODE_ENV says
 * production, graphql-js checks every `instanceof` it makes for a second copy of itself, a check
 * that took a twentieth of the services subgraph's CPU answering the journey; the check is for
 * development, where NODE_ENV can still say so.
 */
process.env["NODE_ENV"] ??= "production";
