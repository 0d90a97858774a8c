# One image for the three subgraphs, the gateway and the one-shot commands (seed, import, generate);
# docker-compose.yml picks the entry point.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY platform ./platform
COPY export ./export
COPY graph ./graph
COPY subgraph-kit ./subgraph-kit
COPY schema ./schema
COPY subgraphs ./subgraphs
COPY gateway ./gateway
COPY dashboard ./dashboard
COPY data ./data
COPY scripts ./scripts
RUN npm run build:dashboard
ENV HOST=0.0.0.0 NODE_ENV=production
USER node
