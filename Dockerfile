# syntax=docker/dockerfile:1
# Multi-stage build: the embedded FerretDB (for running without MONGODB_URI), the
# TypeScript build, and a small non-root runtime image.

FROM golang:1.24-bookworm AS ferretdb
WORKDIR /src/tools/ferretdb
COPY tools/ferretdb/go.mod tools/ferretdb/go.sum tools/ferretdb/main.go ./
RUN CGO_ENABLED=0 go build -trimpath -o /out/ferretdb .

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=ferretdb /out/ferretdb ./tools/ferretdb/bin/ferretdb
COPY intents ./intents
COPY locales ./locales
COPY config ./config
COPY src/channels/web/public ./src/channels/web/public
COPY src/console/views ./src/console/views
COPY src/console/public ./src/console/public
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
