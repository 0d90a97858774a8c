# One image for the three subgraphs, the gateway and the one-shot commands (seed, import, generate);
# docker-compose.yml picks the entry point.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY lib ./lib
COPY schema ./schema
COPY subgraphs ./subgraphs
COPY gateway ./gateway
COPY seed ./seed
COPY import ./import
COPY generate ./generate
COPY scripts ./scripts
ENV HOST=0.0.0.0 NODE_ENV=production
USER node
